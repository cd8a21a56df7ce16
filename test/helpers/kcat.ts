// kcat wrappers for the compat suite: produce lines, consume as parsed JSON envelopes, query offsets.

import { run, runOk } from "./run.js";

export const codecs = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
export type Codec = (typeof codecs)[number];

/** One record as `kcat -C -J` prints it. */
export interface KcatRecord {
  topic: string;
  partition: number;
  offset: number;
  tstype: string;
  ts: number;
  headers?: string[];
  key: string | null;
  payload: string | null;
}

export interface KcatProduceOptions {
  partition?: number;
  codec?: Codec;
  /** Lines are `key:value` when true. */
  keyed?: boolean;
  headers?: Record<string, string>;
  extra?: string[];
}

export async function kcatProduce(
  bootstrap: string,
  topic: string,
  lines: string[],
  options: KcatProduceOptions = {},
): Promise<void> {
  const args = ["-P", "-b", bootstrap, "-t", topic, "-p", String(options.partition ?? 0)];
  args.push("-X", `compression.codec=${options.codec ?? "none"}`);
  if (options.keyed) args.push("-K:");
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push("-H", `${k}=${v}`);
  args.push(...(options.extra ?? []));
  await runOk("kcat", args, { input: `${lines.join("\n")}\n`, timeoutMs: 60_000 });
}

export interface KcatConsumeOptions {
  partition?: number;
  /** kcat's -o: beginning, end, a number, s@ts. */
  offset?: string;
  count?: number;
  extra?: string[];
  timeoutMs?: number;
}

/** Consumes to the end of the partition (-e) and parses the -J lines. */
export async function kcatConsume(
  bootstrap: string,
  topic: string,
  options: KcatConsumeOptions = {},
): Promise<KcatRecord[]> {
  const out = await runOk("kcat", kcatConsumeArgs(bootstrap, topic, options), {
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  return parseJsonLines(out);
}

export function kcatConsumeArgs(bootstrap: string, topic: string, options: KcatConsumeOptions): string[] {
  const args = ["-C", "-b", bootstrap, "-t", topic, "-e", "-J", "-q"];
  if (options.partition !== undefined) args.push("-p", String(options.partition));
  args.push("-o", options.offset ?? "beginning");
  if (options.count !== undefined) args.push("-c", String(options.count));
  args.push(...(options.extra ?? []));
  return args;
}

export function parseJsonLines(out: string): KcatRecord[] {
  return out
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as KcatRecord);
}

/** `kcat -L -J`: broker and topic metadata. */
export async function kcatMetadata(bootstrap: string, topic?: string): Promise<KcatMetadata> {
  const args = ["-L", "-J", "-b", bootstrap];
  if (topic) args.push("-t", topic);
  return JSON.parse(await runOk("kcat", args, { timeoutMs: 30_000 })) as KcatMetadata;
}

export interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: {
    topic: string;
    error?: string;
    partitions: { partition: number; leader: number; error?: string }[];
  }[];
}

/** `kcat -Q`: the first offset whose timestamp is >= ts (-1 past the end). */
export async function kcatOffsetForTime(bootstrap: string, topic: string, partition: number, ts: number) {
  const res = await run("kcat", ["-Q", "-b", bootstrap, "-t", `${topic}:${partition}:${ts}`], {
    timeoutMs: 30_000,
  });
  const match = /offset (-?\d+)/.exec(res.stdout);
  if (!match) throw new Error(`kcat -Q printed no offset:\n${res.stdout}\n${res.stderr}`);
  return Number(match[1]);
}
