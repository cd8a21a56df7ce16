// `sluice produce TOPIC`: one record per input line (stdin or a file), batched into Produce requests, kcat -P style.

import { constants, createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { createInterface } from "node:readline";
import { type Command, Option } from "commander";
import { limits } from "../../common/limits.js";
import type { CompressionName, KafkaClient, ProducerRecord } from "../../kafka/client/index.js";
import { bootstrapHelp, collectHeader, parseNonNegativeInt, withClient } from "../options.js";

export interface ProduceFlags {
  bootstrap?: string;
  partition?: number;
  key?: string;
  keyDelimiter?: string;
  header?: Array<[string, string]>;
  compression: CompressionName;
  acks: string;
  file?: string;
}

/** Per-record overhead counted toward the batch byte limit (varints, attributes, offsets). */
const recordOverheadBytes = 32;

/** Turns one input line into a record; empty lines are skipped (as kcat does), so this returns null for them. */
export function lineToRecord(
  line: string,
  flags: Pick<ProduceFlags, "key" | "keyDelimiter" | "header" | "partition">,
): ProducerRecord | null {
  if (line.length === 0) return null;
  let key: string | null = flags.key ?? null;
  let value = line;
  if (flags.keyDelimiter !== undefined && flags.keyDelimiter !== "") {
    const at = line.indexOf(flags.keyDelimiter);
    // Like kcat: without the delimiter the whole line is the value and the key stays null.
    if (at >= 0) {
      key = line.slice(0, at);
      value = line.slice(at + flags.keyDelimiter.length);
    }
  }
  return {
    key,
    value,
    headers: (flags.header ?? []).map(([k, v]) => ({ key: k, value: v })),
    partition: flags.partition,
  };
}

function recordBytes(record: ProducerRecord): number {
  let bytes =
    recordOverheadBytes + Buffer.byteLength(record.value ?? "") + Buffer.byteLength(record.key ?? "");
  for (const h of record.headers ?? []) bytes += Buffer.byteLength(h.key) + Buffer.byteLength(h.value ?? "");
  return bytes;
}

function parseAcks(value: string): 0 | 1 | -1 {
  if (value === "all" || value === "-1") return -1;
  if (value === "0") return 0;
  if (value === "1") return 1;
  throw new Error(`--acks must be 0, 1, -1 or all, got "${value}"`);
}

interface ProduceTotals {
  records: number;
  bytes: number;
  perPartition: Map<number, number>;
}

async function produceLines(client: KafkaClient, topic: string, flags: ProduceFlags): Promise<ProduceTotals> {
  const acks = parseAcks(flags.acks);
  if (flags.file !== undefined) await access(flags.file, constants.R_OK);
  const input = flags.file !== undefined ? createReadStream(flags.file) : process.stdin;
  const totals: ProduceTotals = { records: 0, bytes: 0, perPartition: new Map() };
  let batch: ProducerRecord[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const results = await client.produce(topic, batch, { acks, compression: flags.compression });
    for (const r of results)
      totals.perPartition.set(r.partition, (totals.perPartition.get(r.partition) ?? 0) + r.recordCount);
    totals.records += batch.length;
    totals.bytes += batchBytes;
    batch = [];
    batchBytes = 0;
  };
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const record = lineToRecord(line, flags);
    if (!record) continue;
    const bytes = recordBytes(record);
    if (
      batch.length > 0 &&
      (batch.length >= limits.cliProduceBatchRecordsMax ||
        batchBytes + bytes > limits.cliProduceBatchBytesMax)
    ) {
      await flush();
    }
    batch.push(record);
    batchBytes += bytes;
  }
  await flush();
  return totals;
}

export function registerProduce(program: Command): void {
  program
    .command("produce <topic>")
    .description(
      "produce one record per line read from stdin (or --file); empty lines are skipped, like kcat -P",
    )
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .option(
      "-p, --partition <n>",
      "send every record to this partition (default: murmur2 of the key like the Java client; sticky for null keys)",
      parseNonNegativeInt,
    )
    .option("-k, --key <key>", "key for every record")
    .option(
      "-K, --key-delimiter <delim>",
      "split each line at the first <delim> into key and value (kcat -K); lines without it get a null key",
    )
    .option("-H, --header <key=value>", "header added to every record, repeatable", collectHeader)
    .addOption(
      new Option("-z, --compression <codec>", "batch compression")
        .choices(["none", "gzip", "snappy", "lz4", "zstd"])
        .default("none"),
    )
    .addOption(
      new Option("--acks <acks>", "0 (no answer), 1 (leader), -1/all (all in-sync replicas)")
        .choices(["0", "1", "-1", "all"])
        .default("all"),
    )
    .option("-f, --file <path>", "read lines from this file instead of stdin")
    .action(async (topic: string, flags: ProduceFlags) => {
      const started = Date.now();
      const totals = await withClient(flags.bootstrap, (client) => produceLines(client, topic, flags));
      const partitions = [...totals.perPartition].sort((a, b) => a[0] - b[0]).map(([p, n]) => `${p}:${n}`);
      process.stderr.write(
        `sluice: produced ${totals.records} records (${totals.bytes} bytes) to ${topic}` +
          `${partitions.length > 0 ? ` [partition:records ${partitions.join(" ")}]` : ""} in ${Date.now() - started} ms\n`,
      );
    });
}
