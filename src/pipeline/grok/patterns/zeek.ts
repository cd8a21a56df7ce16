// Bro/Zeek TSV logs: http, dns, conn, files (logstash-patterns-core's legacy bro and ECS zeek files). Each
// pattern is a tab-separated column list, built here from the columns.

import type { PatternSet } from "./types.js";

const tabbed = (columns: readonly string[]) => columns.join("\\t");
/** A column Zeek writes as `-` when unset: ECS leaves the field out then. */
const unset = (inner: string) => `(?:-|${inner})`;
/** The columns every legacy Bro log starts with, connection-keyed ones. */
const broConnection = [
  "%{NUMBER:ts}",
  "%{NOTSPACE:uid}",
  "%{IP:orig_h}",
  "%{INT:orig_p}",
  "%{IP:resp_h}",
  "%{INT:resp_p}",
];
const greedy = (names: readonly string[]) => names.map((name) => `%{GREEDYDATA:${name}}`);

export const legacy: PatternSet = {
  BRO_HTTP: tabbed([
    ...broConnection,
    "%{INT:trans_depth}",
    ...greedy(["method", "domain", "uri", "referrer", "user_agent"]),
    "%{NUMBER:request_body_len}",
    "%{NUMBER:response_body_len}",
    ...greedy(["status_code", "status_msg", "info_code", "info_msg", "filename", "bro_tags", "username"]),
    ...greedy(["password", "proxied", "orig_fuids", "orig_mime_types", "resp_fuids", "resp_mime_types"]),
  ]),
  BRO_DNS: tabbed([
    ...broConnection,
    "%{WORD:proto}",
    "%{INT:trans_id}",
    ...greedy(["query", "qclass", "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name"]),
    ...greedy(["AA", "TC", "RD", "RA", "Z", "answers", "TTLs", "rejected"]),
  ]),
  BRO_CONN: tabbed([
    ...broConnection,
    "%{WORD:proto}",
    "%{GREEDYDATA:service}",
    "%{NUMBER:duration}",
    "%{NUMBER:orig_bytes}",
    "%{NUMBER:resp_bytes}",
    ...greedy(["conn_state", "local_orig", "missed_bytes", "history", "orig_pkts", "orig_ip_bytes"]),
    ...greedy(["resp_pkts", "resp_ip_bytes", "tunnel_parents"]),
  ]),
  BRO_FILES: tabbed([
    "%{NUMBER:ts}",
    "%{NOTSPACE:fuid}",
    "%{IP:tx_hosts}",
    "%{IP:rx_hosts}",
    "%{NOTSPACE:conn_uids}",
    ...greedy(["source", "depth", "analyzers", "mime_type", "filename", "duration", "local_orig", "is_orig"]),
    ...greedy(["seen_bytes", "total_bytes", "missing_bytes", "overflow_bytes", "timedout", "parent_fuid"]),
    ...greedy(["md5", "sha1", "sha256", "extracted"]),
  ]),
};

const zeekConnection = [
  "%{NUMBER:timestamp}",
  "%{NOTSPACE:[zeek][session_id]}",
  "%{IP:[source][ip]}",
  "%{INT:[source][port]:int}",
  "%{IP:[destination][ip]}",
  "%{INT:[destination][port]:int}",
];
const data = (field: string) => unset(`%{ZEEK_DATA:${field}}`);
const int = (field: string) => unset(`%{INT:${field}:int}`);
const bool = (field: string) => unset(`%{ZEEK_BOOL:${field}}`);

export const ecs: PatternSet = {
  ZEEK_BOOL: "[TF]",
  ZEEK_DATA: "[^\\t]+",
  ZEEK_HTTP: tabbed([
    ...zeekConnection,
    "%{INT:[zeek][http][trans_depth]:int}",
    unset("%{WORD:[http][request][method]}"),
    data("[url][domain]"),
    data("[url][original]"),
    data("[http][request][referrer]"),
    unset("%{NUMBER:[http][version]}"),
    data("[user_agent][original]"),
    data("[zeek][http][origin]"),
    unset("%{NUMBER:[http][request][body][bytes]:int}"),
    unset("%{NUMBER:[http][response][body][bytes]:int}"),
    unset("%{POSINT:[http][response][status_code]:int}"),
    unset("%{DATA:[zeek][http][status_msg]}"),
    unset("%{POSINT:[zeek][http][info_code]:int}"),
    unset("%{DATA:[zeek][http][info_msg]}"),
    "(?:\\(empty\\)|%{ZEEK_DATA:[zeek][http][tags]})",
    data("[url][username]"),
    data("[url][password]"),
    data("[zeek][http][proxied]"),
    data("[zeek][http][orig_fuids]"),
    data("[zeek][http][orig_filenames]"),
    data("[http][request][mime_type]"),
    data("[zeek][http][resp_fuids]"),
    data("[zeek][http][resp_filenames]"),
    data("[http][response][mime_type]"),
  ]),
  ZEEK_DNS: tabbed([
    ...zeekConnection,
    "%{WORD:[network][transport]}",
    int("[dns][id]"),
    unset("%{NUMBER:[zeek][dns][rtt]:float}"),
    data("[dns][question][name]"),
    int("[zeek][dns][qclass]"),
    data("[zeek][dns][qclass_name]"),
    int("[zeek][dns][qtype]"),
    data("[dns][question][type]"),
    int("[zeek][dns][rcode]"),
    data("[dns][response_code]"),
    "%{ZEEK_BOOL:[zeek][dns][AA]}",
    "%{ZEEK_BOOL:[zeek][dns][TC]}",
    "%{ZEEK_BOOL:[zeek][dns][RD]}",
    "%{ZEEK_BOOL:[zeek][dns][RA]}",
    "%{NONNEGINT:[zeek][dns][Z]:int}",
    data("[zeek][dns][answers]"),
    unset("%{DATA:[zeek][dns][TTLs]}"),
    bool("[zeek][dns][rejected]"),
  ]),
  ZEEK_CONN: `${tabbed([
    ...zeekConnection,
    "%{WORD:[network][transport]}",
    data("[network][protocol]"),
    unset("%{NUMBER:[zeek][connection][duration]:float}"),
    int("[zeek][connection][orig_bytes]"),
    int("[zeek][connection][resp_bytes]"),
    data("[zeek][connection][state]"),
    bool("[zeek][connection][local_orig]"),
    bool("[zeek][connection][local_resp]"),
    int("[zeek][connection][missed_bytes]"),
    data("[zeek][connection][history]"),
    int("[source][packets]"),
    int("[source][bytes]"),
    int("[destination][packets]"),
    int("[destination][bytes]"),
    data("[zeek][connection][tunnel_parents]"),
  ])}(?:\\t${unset("%{COMMONMAC:[source][mac]}")}\\t${unset("%{COMMONMAC:[destination][mac]}")})?`,
  ZEEK_FILES_TX_HOSTS:
    "(?:-|%{IP:[server][ip]})|(?<[zeek][files][tx_hosts]>%{IP:[server][ip]}(?:[\\s,]%{IP})+)",
  ZEEK_FILES_RX_HOSTS:
    "(?:-|%{IP:[client][ip]})|(?<[zeek][files][rx_hosts]>%{IP:[client][ip]}(?:[\\s,]%{IP})+)",
  ZEEK_FILES: `${tabbed([
    "%{NUMBER:timestamp}",
    "%{NOTSPACE:[zeek][files][fuid]}",
    "%{ZEEK_FILES_TX_HOSTS}",
    "%{ZEEK_FILES_RX_HOSTS}",
    data("[zeek][files][session_ids]"),
    data("[zeek][files][source]"),
    int("[zeek][files][depth]"),
    data("[zeek][files][analyzers]"),
    data("[file][mime_type]"),
    data("[file][name]"),
    unset("%{NUMBER:[zeek][files][duration]:float}"),
    data("[zeek][files][local_orig]"),
    bool("[zeek][files][is_orig]"),
    int("[zeek][files][seen_bytes]"),
    int("[file][size]"),
    int("[zeek][files][missing_bytes]"),
    int("[zeek][files][overflow_bytes]"),
    bool("[zeek][files][timedout]"),
    data("[zeek][files][parent_fuid]"),
    data("[file][hash][md5]"),
    data("[file][hash][sha1]"),
    data("[file][hash][sha256]"),
    data("[zeek][files][extracted]"),
  ])}(?:\\t${bool("[zeek][files][extracted_cutoff]")}\\t${int("[zeek][files][extracted_size]")})?`,
};
