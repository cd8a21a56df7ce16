// Every buffer, queue and request size in Sluice has a named limit here; units come last in the name.
// Exceeding one is an explicit error (a Kafka error code, a closed connection, a log line), never an OOM.

export const limits = {
  /** Largest Kafka request frame accepted from a client (Kafka's socket.request.max.bytes). */
  requestFrameBytesMax: 100 * 1024 * 1024,
  /** Requests read from one connection but not yet answered; reading pauses at this depth. */
  connectionInflightRequestsMax: 64,
  /** Open client connections to the broker. */
  brokerConnectionsMax: 4096,
  /** Largest record batch accepted by Produce (Kafka's message.max.bytes default, 1 MiB + overhead). */
  messageBytesMax: 1024 * 1024 + 12 * 1024,
  /** Upper bound on one Fetch response, whatever the client asks for. */
  fetchResponseBytesMax: 64 * 1024 * 1024,
  /** Longest a Fetch may wait for min_bytes. */
  fetchWaitMsMax: 30_000,
  /** Array/string lengths the decoder accepts before allocating (elements, bytes). */
  decodeArrayLengthMax: 1_000_000,
  /** Records inside one batch. */
  batchRecordsMax: 1_000_000,
  /** Decompressed size of one batch's records. */
  decompressedBatchBytesMax: 256 * 1024 * 1024,
  /** Topics a broker holds. */
  topicsMax: 100_000,
  /** Partitions one topic may have. */
  topicPartitionsMax: 10_000,
  /** Appended bytes held in memory before they reach the file (per partition). */
  appendBufferBytesMax: 64 * 1024 * 1024,
  /** Idempotent producers remembered by the broker (oldest evicted past this). */
  producerStatesMax: 100_000,
  /** Requests one client connection has sent and not yet seen answered (Sluice's own client). */
  clientInflightRequestsMax: 1024,
  /** Largest response frame Sluice's client reads (above the broker's Fetch cap, below an OOM). */
  clientResponseFrameBytesMax: 128 * 1024 * 1024,
  /** Records the `sluice produce` command gathers into one Produce request. */
  cliProduceBatchRecordsMax: 10_000,
  /** Record bytes (keys, values, headers, ~32 B overhead each) `sluice produce` gathers into one Produce request; below message.max.bytes. */
  cliProduceBatchBytesMax: 512 * 1024,
  /** Members one consumer group may hold; joins past this get GROUP_MAX_SIZE_REACHED. */
  groupMembersMax: 10_000,
  /** Consumer groups the coordinator holds in memory (with members or committed offsets). */
  groupsMax: 100_000,
  /** Metadata string stored with one committed offset (Kafka's offset.metadata.max.bytes). */
  offsetMetadataBytesMax: 4096,
  /** One record in the committed-offsets log; a larger length field means corruption. */
  offsetsRecordBytesMax: 256 * 1024,
  /** Offset-commit bytes waiting for the next group fsync; commits past this are refused. */
  offsetsWriteQueueBytesMax: 16 * 1024 * 1024,
  /** Committed-offsets log size below which it is never compacted (a rewrite costs more than it saves). */
  offsetsLogCompactMinBytes: 4 * 1024 * 1024,
  /** Fetch long-poll waiters one partition log holds; past this a waiter is woken at once (an empty poll). */
  logDataWaitersMax: 10_000,
  /** Bytes read per pread when the log scans a segment (recovery, index rebuild, timestamp search). */
  logScanChunkBytes: 8 * 1024 * 1024,
  /** Largest batch the log stores or believes on read; a bigger length field means corruption. */
  logBatchBytesMax: 256 * 1024 * 1024,
  /** Largest segment file: index positions are int32. */
  logSegmentBytesMax: 2 ** 31 - 1,
  /** Batches coalesced into one writev (the kernel's IOV_MAX). */
  logWritevBuffersMax: 1024,
  /** Largest small checksummed file the log reads whole (topic metadata, checkpoints). */
  logCheckedFileBytesMax: 16 * 1024 * 1024,
  /** Diagnostics one pipeline configuration file reports before the rest are dropped (they are mostly echoes). */
  configDiagnosticsMax: 100,
  /** Largest pipeline configuration file read. */
  configFileBytesMax: 16 * 1024 * 1024,
  /** Files one `-f` path (directory or glob) may expand to. */
  configFilesMax: 10_000,
  /** ACL bindings the broker stores (CreateAcls past this is refused); they are kept in memory and rewritten whole. */
  aclBindingsMax: 100_000,
  /** Dynamic broker configs stored per scope (this broker, cluster default) by AlterConfigs. */
  dynamicBrokerConfigsMax: 1000,
  /** Parsed field references cached by their text (Logstash caches 10,000 too); past this they are parsed each time. */
  fieldReferenceCacheEntriesMax: 10_000,
  /** Compiled sprintf templates cached by their text; past this they are compiled each time. */
  sprintfTemplateCacheEntriesMax: 10_000,
  /** Files the file output keeps open at once; the least recently written is flushed and closed past this. */
  fileOutputOpenFilesMax: 256,
  /** Encoded bytes the file output holds for one file between flushes; a write happens early past this. */
  fileOutputPendingBytesMax: 8 * 1024 * 1024,
  /** Bytes queued to one client of the tcp output in server mode; a client that falls this far behind is dropped. */
  tcpOutputClientBufferBytesMax: 16 * 1024 * 1024,
  /** Redirects the http output follows for one request (Apache HttpClient's default is 50). */
  httpOutputRedirectsMax: 50,
  /** Response body bytes the http output keeps to log a failed request; the rest is read and discarded. */
  httpOutputLoggedBodyBytesMax: 4096,
  /** Events the in-memory pipeline queue holds before inputs are told to pause (at least batch size × workers). */
  pipelineQueueEventsMax: 4096,
  /** Client connections the tcp input holds at once; connections past this are closed on accept. */
  tcpInputConnectionsMax: 4096,
  /** Largest request body the http input accepts (after decompression), whatever max_content_length says. */
  httpInputBodyBytesMax: 1024 * 1024 * 1024,
  /** Longest line the file input buffers while waiting for its delimiter; a longer one is emitted in pieces. */
  fileInputLineBytesMax: 16 * 1024 * 1024,
  /** Files one file input watches at once (matched by its globs); further matches are ignored with a warning. */
  fileInputWatchedFilesMax: 100_000,
  /** Largest sincedb file the file input reads; a bigger one is treated as corrupt and ignored. */
  fileInputSincedbBytesMax: 64 * 1024 * 1024,
  /** Longest line the line-oriented codecs (line, json_lines, multiline, streaming plain/json) buffer; the rest of a longer line is dropped and the kept part tagged. */
  codecLineBytesMax: 64 * 1024 * 1024,
  /** Output of one exec input command kept for decoding; the rest is read and dropped. */
  execInputOutputBytesMax: 64 * 1024 * 1024,
  /** Largest logstash-filter-verifier test-case file `sluice test` reads. */
  verifierTestCaseFileBytesMax: 16 * 1024 * 1024,
  /** Events `sluice test` captures from one test-case file's run; more means a runaway config (a loop through pipelines). */
  verifierCapturedEventsMax: 100_000,
  /** Time zones the date filter keeps resolved (by id, e.g. from a `%{field}` timezone); past this they are resolved each time. */
  dateFilterZonesMax: 1000,
  /** Hours whose UTC offset one date-filter zone remembers; the memory is cleared when full. */
  dateFilterZoneOffsetCacheEntriesMax: 100_000,
  /** Uncompressed bytes of one elasticsearch-output bulk request; a batch past this is split (Logstash's TARGET_BULK_BYTES). */
  elasticsearchOutputBulkBytesMax: 20 * 1024 * 1024,
  /** Largest response body the elasticsearch output reads (a bulk response lists every item); past this the request fails. */
  elasticsearchOutputResponseBytesMax: 256 * 1024 * 1024,
  /** Connections the monitoring API (:9600) holds open at once; more are refused. */
  monitoringApiConnectionsMax: 256,
  /** Compiled grok regexes kept for reuse across grok filters (keyed by expanded pattern); cleared when full. */
  grokCompiledPatternCacheEntriesMax: 10_000,
  /** Nesting of `%{NAME}` references a grok pattern may expand through (a cycle stops here). */
  grokPatternExpansionDepthMax: 64,
  /** Largest grok patterns file (patterns_dir) read. */
  grokPatternsFileBytesMax: 16 * 1024 * 1024,
  /** Redirects the http filter follows for one request (Apache HttpClient's default is 50). */
  httpFilterRedirectsMax: 50,
  /** Largest response body the http filter reads into an event; a bigger response is a request failure. */
  httpFilterResponseBytesMax: 64 * 1024 * 1024,
  /** Start events the elapsed filter waits on at once; a start past this is tagged and not remembered. */
  elapsedFilterPendingStartsMax: 1_000_000,
  /** Longest text (UTF-16 units) the grok match thread takes through shared memory; longer text is matched under a vm timeout instead. */
  grokIsolatedInputCharsMax: 1024 * 1024,
  /** Named groups one grok regex may report back from the match thread; a regex with more uses a vm timeout. */
  grokIsolatedCaptureGroupsMax: 4096,
  /** How long starting the grok match thread may take before grok gives up on it. */
  grokIsolatedStartMillisMax: 10_000,
  /** Largest HTTP request body the embedded store's Elasticsearch API accepts (ES's http.max_content_length). */
  esRequestBodyBytesMax: 100 * 1024 * 1024,
  /** Largest body after gzip decompression of an Elasticsearch API request. */
  esDecompressedBodyBytesMax: 512 * 1024 * 1024,
  /** Largest serialized event the persisted queue stores; a longer length field read back is corruption, and a bigger event is refused (logged, counted). */
  persistedQueueRecordBytesMax: 256 * 1024 * 1024,
  /** Encoded bytes the persisted queue gathers before writing them to its head page in one writev. */
  persistedQueueWriteBufferBytesMax: 1024 * 1024,
  /** Events the persisted queue keeps in memory ahead of the workers; later ones are read back from the pages. */
  persistedQueueReadAheadEventsMax: 4096,
  /** Bytes the persisted queue (and the dead-letter queue reader) reads from a page at a time. */
  persistedQueueReadChunkBytes: 1024 * 1024,
  /** Size at which a dead-letter queue segment is sealed and a new one started (Logstash: 10 MiB). */
  deadLetterQueueSegmentBytesMax: 10 * 1024 * 1024,
  /** Largest dead-letter entry (event, reason, plugin); a bigger one is dropped and counted, and a longer length read back is corruption. */
  deadLetterQueueEntryBytesMax: 64 * 1024 * 1024,
  /** Write-ahead-log size at which the store folds the WAL into its database file (DuckDB's checkpoint_threshold). */
  storeCheckpointWalBytes: 256 * 1024 * 1024,
  /** Memory for in-memory text postings (all indices and fields); past it a field's postings are dropped and its matches scan. */
  storePostingsBytesMax: 1024 * 1024 * 1024,
  /** Rows `sluice sql` prints as a table (it buffers them to size the columns); json and csv stream every row. */
  sqlTableRowsMax: 10_000,
  /** Rows one `/_sql` answer may carry (its fetch_size); there are no cursors, so a bigger result is refused. */
  storeSqlRowsMax: 100_000,
  /** Field references whose parsed path the ruby filter's Ruby side keeps (LogStash::Event.new events); cleared when full. */
  rubyFieldPathCacheEntriesMax: 10_000,
  /** Backtrace lines of a Ruby exception kept in the ruby filter's log entry. */
  rubyBacktraceLinesMax: 5,
  /** How long the memcached filter waits for a memcached server to connect or answer before it counts as down (dalli: 1 s). */
  memcachedRequestMillisMax: 1000,
  /** Largest answer the memcached filter buffers from one server (memcached's item size is at most 1 GiB, 1 MiB by default). */
  memcachedResponseBytesMax: 64 * 1024 * 1024,
  /** How long one elasticsearch filter lookup (connect, query, answer) may take before it fails. */
  elasticsearchFilterRequestMillisMax: 60_000,
  /** Datagrams the syslog input holds while the pipeline is full; more are dropped and counted. */
  syslogInputUdpQueuePacketsMax: 2000,
  /** Bytes the pipe output lets pile up unread in one command's stdin before it waits for the command to catch up. */
  pipeOutputPendingBytesMax: 16 * 1024 * 1024,
  /** Nesting of EDN collections the edn codecs read; deeper input is a parse failure, not a stack overflow. */
  ednNestingDepthMax: 1000,
} as const;

export type LimitName = keyof typeof limits;
