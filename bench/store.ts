// Store benchmark: bulk ingest of ~1 KB log documents over HTTP `_bulk` (docs/s) beside DuckDB's raw
// appender rate for the same rows in the same run, then `match` and `terms` aggregation latency
// (p50/p99) over the loaded index. Human-readable lines, then one JSON object as the last line.
// BENCH_STORE_DOCS (default 1,000,000) sets the document count. It never fails on speed.
// Run with `npm run bench:store` (builds first: the server under test is dist/, as `sluice` runs it).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

// The built server (npm run build first, as bench:store does): what `sluice` runs, without tsx's overheads.
const serverModule = "../dist/es/server.js";
const loggerModule = "../dist/common/logger.js";
const { startStoreServer } = (await import(serverModule)) as typeof import("../src/es/server.js");
const { createLogger } = (await import(loggerModule)) as typeof import("../src/common/logger.js");

const docCount = Number(process.env.BENCH_STORE_DOCS ?? 1_000_000);
const batchDocs = Number(process.env.BENCH_STORE_BATCH ?? 5000);
const concurrency = Number(process.env.BENCH_STORE_CONCURRENCY ?? 2);
const queryRuns = Number(process.env.BENCH_STORE_QUERY_RUNS ?? 30);

const words =
  "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu".split(
    " ",
  );
const levels = ["INFO", "WARN", "ERROR", "DEBUG"];

/** One ~1 KB log document (deterministic from i). */
function makeDoc(i: number): Record<string, unknown> {
  const msg = Array.from(
    { length: 18 },
    (_, k) => words[(i * 7 + k * 13 + (i >> (k % 8))) % words.length],
  ).join(" ");
  return {
    "@timestamp": new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    level: levels[i % 4],
    host: { name: `host-${i % 50}` },
    service: `svc-${i % 20}`,
    status: 200 + (i % 5) * 100,
    bytes: (i * 7919) % 100_000,
    duration_ms: ((i * 31) % 10_000) / 10,
    message: `${msg} request ${i} from 10.${i % 256}.${(i >> 8) % 256}.${(i >> 16) % 256}`,
    user_agent:
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    url: `/api/v1/items/${i % 1000}/details?page=${i % 17}&sort=desc&filter=${words[i % 26]}`,
    trace: { id: (i * 2654435761).toString(16).padStart(16, "0"), span: (i * 40503).toString(16) },
    tags: ["bench", words[i % 26] as string],
    padding: "x".repeat(300),
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};

async function appenderRate(dir: string, lines: string[]): Promise<number> {
  const instance = await DuckDBInstance.create(join(dir, "raw.duckdb"));
  const conn = await instance.connect();
  await conn.run("CREATE TABLE raw (_id VARCHAR, _seq BIGINT, _version BIGINT, _source VARCHAR)");
  const started = performance.now();
  const appender = await conn.createAppender("raw");
  lines.forEach((line, i) => {
    appender.appendVarchar(String(i));
    appender.appendBigInt(BigInt(i));
    appender.appendBigInt(1n);
    appender.appendVarchar(line);
    appender.endRow();
  });
  appender.closeSync();
  const rate = lines.length / ((performance.now() - started) / 1000);
  conn.closeSync();
  instance.closeSync();
  return rate;
}

async function ingest(base: string, lines: string[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < lines.length) {
      const from = next;
      next += batchDocs;
      const body = `${lines
        .slice(from, from + batchDocs)
        .map((l) => `{"index":{"_index":"bench"}}\n${l}`)
        .join("\n")}\n`;
      const res = await fetch(`${base}/_bulk`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body,
      });
      const json = (await res.json()) as { errors: boolean };
      if (json.errors) throw new Error("bulk reported errors");
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return lines.length / ((performance.now() - started) / 1000);
}

async function latency(base: string, body: unknown, runs = queryRuns): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await fetch(`${base}/bench/_search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`search failed: ${await res.text()}`);
    await res.json();
    times.push(performance.now() - started);
  }
  return { p50: pct(times, 50), p99: pct(times, 99) };
}

const dir = mkdtempSync(join(tmpdir(), "sluice-bench-store-"));
try {
  const lines = Array.from({ length: docCount }, (_, i) => JSON.stringify(makeDoc(i)));
  const avgBytes = lines.reduce((s, l) => s + l.length, 0) / lines.length;
  console.log(`documents: ${docCount.toLocaleString("en-US")} of ~${Math.round(avgBytes)} bytes`);
  const appenderRps = await appenderRate(dir, lines);
  console.log(
    `duckdb appender (4 columns, same JSON): ${Math.round(appenderRps).toLocaleString("en-US")} rows/s`,
  );
  const server = await startStoreServer({
    port: 0,
    dataDir: join(dir, "store"),
    logger: createLogger({ level: "warn" }),
  });
  const base = `http://127.0.0.1:${server.port}`;
  const ingestDps = await ingest(base, lines);
  console.log(
    `bulk ingest over HTTP (${batchDocs}/request, ${concurrency} in flight): ${Math.round(ingestDps).toLocaleString("en-US")} docs/s`,
  );
  // The first match on a field after start scans the table and starts building the field's in-memory
  // postings in the background; later matches use them once built. Both are timed on their own.
  const cold = await latency(base, { query: { match: { message: "hotel" } } }, 1);
  console.log(`first match on the field (a table scan): ${cold.p50.toFixed(1)} ms`);
  const buildStarted = performance.now();
  await server.store.fieldPostings("bench", "message");
  const buildMs = performance.now() - buildStarted;
  console.log(`postings of the field built (background, after the first match) in ${buildMs.toFixed(0)} ms`);
  const match = await latency(base, { query: { match: { message: "foxtrot kilo" } } });
  console.log(`match p50 ${match.p50.toFixed(1)} ms, p99 ${match.p99.toFixed(1)} ms`);
  const agg = await latency(base, { size: 0, aggs: { s: { terms: { field: "service.keyword" } } } });
  console.log(`terms agg p50 ${agg.p50.toFixed(1)} ms, p99 ${agg.p99.toFixed(1)} ms`);
  await server.close();
  console.log(
    JSON.stringify({
      docs: docCount,
      ingest_dps: Math.round(ingestDps),
      appender_rps: Math.round(appenderRps),
      ingest_vs_appender: Number((ingestDps / appenderRps).toFixed(3)),
      match_cold_ms: Number(cold.p50.toFixed(1)),
      postings_build_ms: Math.round(buildMs),
      match_p50_ms: Number(match.p50.toFixed(1)),
      match_p99_ms: Number(match.p99.toFixed(1)),
      agg_p50_ms: Number(agg.p50.toFixed(1)),
      agg_p99_ms: Number(agg.p99.toFixed(1)),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
