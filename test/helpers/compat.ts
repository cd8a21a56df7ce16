// Shared pieces of the real-client tests: the tool check every file starts with, test records, segment paths.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { missingTools } from "./run.js";

/** Fails (never skips) when a client the suite needs is not installed; .ci/run installs them. */
export async function expectToolsInstalled(): Promise<void> {
  expect(await missingTools(), "missing tools for the compat suite").toEqual([]);
}

export interface TestRecord {
  key: string | null;
  value: string;
  headers: [string, string][];
  timestamp: number;
}

/** n distinctive, compressible records; every tenth has a null key; timestamps 1 s apart from baseTs. */
export function testRecords(tag: string, n: number, baseTs: number): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 10 === 9 ? null : `key-${tag}-${i}`,
    value: `value-${tag}-${i}-${"x".repeat(120)}`,
    headers: [
      ["trace", `t-${i}`],
      ["empty", ""],
    ],
    timestamp: baseTs + i * 1000,
  }));
}

export function segmentPath(dataDir: string, topic: string, partition = 0): string {
  return join(dataDir, "topics", `${topic}-${partition}`, "00000000000000000000.log");
}

export function readSegment(dataDir: string, topic: string, partition = 0): Buffer {
  return readFileSync(segmentPath(dataDir, topic, partition));
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
