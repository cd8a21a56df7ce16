// `sluice consume TOPIC`: read partitions from an offset (kcat -C style), print values or JSON lines, optionally stop at the end.

import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import type { ConsumedRecord, KafkaClient, OffsetSpec } from "../../kafka/client/index.js";
import { bootstrapHelp, parseNonNegativeInt, parsePositiveInt, withClient } from "../options.js";

/** Where to start reading each partition. */
export type StartOffset =
  | { kind: "beginning" }
  | { kind: "end" }
  | { kind: "absolute"; offset: bigint }
  | { kind: "fromEnd"; count: bigint }
  | { kind: "timestamp"; ms: bigint };

/** Parses -o: beginning | end | N | -N | @TIMESTAMP_MS | s@TIMESTAMP_MS | ISO-8601 datetime. */
export function parseStartOffset(value: string): StartOffset {
  if (value === "beginning" || value === "earliest") return { kind: "beginning" };
  if (value === "end" || value === "latest") return { kind: "end" };
  if (/^\d+$/.test(value)) return { kind: "absolute", offset: BigInt(value) };
  if (/^-\d+$/.test(value)) return { kind: "fromEnd", count: -BigInt(value) };
  const ms = /^s?@(\d+)$/.exec(value);
  if (ms) return { kind: "timestamp", ms: BigInt(ms[1]) };
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return { kind: "timestamp", ms: BigInt(parsed) };
  }
  throw new InvalidArgumentError(
    `expected beginning, end, N, -N, @TIMESTAMP_MS or an ISO-8601 datetime, got "${value}"`,
  );
}

/** Resolves a start offset to a concrete offset per partition (ListOffsets for end, -N and timestamps). */
export async function resolveStartOffsets(
  client: KafkaClient,
  topic: string,
  partitions: number[],
  start: StartOffset,
): Promise<Map<number, bigint>> {
  const ask = (spec: OffsetSpec) => client.listOffsets(topic, partitions, spec);
  const out = new Map<number, bigint>();
  switch (start.kind) {
    case "absolute":
      for (const p of partitions) out.set(p, start.offset);
      return out;
    case "beginning":
    case "end": {
      const answers = await ask(start.kind === "beginning" ? "earliest" : "latest");
      for (const p of partitions) out.set(p, answers.get(p)?.offset ?? 0n);
      return out;
    }
    case "fromEnd": {
      const [earliest, latest] = await Promise.all([ask("earliest"), ask("latest")]);
      for (const p of partitions) {
        const from = (latest.get(p)?.offset ?? 0n) - start.count;
        const floor = earliest.get(p)?.offset ?? 0n;
        out.set(p, from > floor ? from : floor);
      }
      return out;
    }
    case "timestamp": {
      const [byTime, latest] = await Promise.all([ask({ timestamp: start.ms }), ask("latest")]);
      // -1 means no record at or after the timestamp: start at the end.
      for (const p of partitions) {
        const found = byTime.get(p)?.offset ?? -1n;
        out.set(p, found >= 0n ? found : (latest.get(p)?.offset ?? 0n));
      }
      return out;
    }
  }
}

function bytesToText(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytes.toString("utf8");
}

export function formatJson(record: ConsumedRecord): string {
  return JSON.stringify({
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    key: bytesToText(record.key),
    value: bytesToText(record.value),
    headers: Object.fromEntries(record.headers.map((h) => [h.key, bytesToText(h.value)])),
  });
}

export function formatValue(record: ConsumedRecord, keyDelimiter: string | undefined): string {
  const value = bytesToText(record.value) ?? "";
  if (keyDelimiter === undefined) return value;
  return `${bytesToText(record.key) ?? ""}${keyDelimiter}${value}`;
}

interface ConsumeFlags {
  bootstrap?: string;
  partition?: number;
  offset?: StartOffset;
  count?: number;
  exit?: boolean;
  format: "value" | "json";
  keyDelimiter?: string;
}

function write(line: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(line)) resolve();
    else process.stdout.once("drain", resolve);
  });
}

async function consumeTopic(client: KafkaClient, topic: string, flags: ConsumeFlags): Promise<number> {
  const partitions = flags.partition !== undefined ? [flags.partition] : await client.partitions(topic);
  const start = await resolveStartOffsets(client, topic, partitions, flags.offset ?? { kind: "beginning" });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let printed = 0;
  try {
    for await (const record of client.consume(topic, start, {
      exitAtEnd: flags.exit,
      signal: abort.signal,
    })) {
      await write(
        `${flags.format === "json" ? formatJson(record) : formatValue(record, flags.keyDelimiter)}\n`,
      );
      printed++;
      if (flags.count !== undefined && printed >= flags.count) break;
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return printed;
}

export function registerConsume(program: Command): void {
  program
    .command("consume <topic>")
    .description("print records of a topic without a consumer group, one per line (like kcat -C)")
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .option("-p, --partition <n>", "read only this partition (default: all partitions)", parseNonNegativeInt)
    .option(
      "-o, --offset <offset>",
      "where to start in each partition: beginning | end | N (absolute) | -N (N before the end) | @TIMESTAMP_MS | ISO-8601 datetime " +
        "(default: beginning, as kcat does)",
      parseStartOffset,
    )
    .option("-c, --count <n>", "exit after printing n records", parsePositiveInt)
    .option("-e, --exit", "exit when every partition's end is reached (kcat -e)")
    .addOption(
      new Option(
        "--format <format>",
        "value: the value only; json: {topic,partition,offset,timestamp,key,value,headers}",
      )
        .choices(["value", "json"])
        .default("value"),
    )
    .option("-K, --key-delimiter <delim>", "in value format, print key<delim>value")
    .action(async (topic: string, flags: ConsumeFlags) => {
      const printed = await withClient(flags.bootstrap, (client) => consumeTopic(client, topic, flags));
      if (flags.exit) process.stderr.write(`sluice: consumed ${printed} records from ${topic}\n`);
    });
}
