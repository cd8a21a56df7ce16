import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDurationSeconds } from "./durations.js";
import { expandBraces, fnmatch, glob } from "./glob.js";
import { LineSplitter } from "./lines.js";
import { formatSincedb, loadSincedb, parseSincedb, saveSincedb, splitDevice } from "./sincedb.js";

describe("friendly durations", () => {
  it("reads Logstash's units and bare numbers in the default unit", () => {
    expect(parseDurationSeconds(5)).toBe(5);
    expect(parseDurationSeconds("250ms")).toBe(0.25);
    expect(parseDurationSeconds("60 sec")).toBe(60);
    expect(parseDurationSeconds("1 hour")).toBe(3600);
    expect(parseDurationSeconds("18h")).toBe(18 * 3600);
    expect(parseDurationSeconds("2w")).toBe(14 * 86400);
    expect(parseDurationSeconds("200 usec")).toBeCloseTo(0.0002);
    expect(parseDurationSeconds("3 minutes")).toBe(180);
    expect(parseDurationSeconds("14 days", "d")).toBe(14 * 86400);
    expect(parseDurationSeconds(2, "d")).toBe(2 * 86400);
    expect(() => parseDurationSeconds("soon")).toThrow(/not a valid duration/);
  });
});

describe("glob", () => {
  it("expands braces, nested ones included", () => {
    expect(expandBraces("/a/{b,c}.log")).toEqual(["/a/b.log", "/a/c.log"]);
    expect(expandBraces("/{x,y{1,2}}")).toEqual(["/x", "/y1", "/y2"]);
  });

  it("matches base names like File.fnmatch, not dot files with a leading wildcard", () => {
    expect(fnmatch("*.gz", "a.log.gz")).toBe(true);
    expect(fnmatch("*.gz", "a.log")).toBe(false);
    expect(fnmatch("a?.log", "ab.log")).toBe(true);
    expect(fnmatch("[ab].log", "b.log")).toBe(true);
    expect(fnmatch("[!ab].log", "b.log")).toBe(false);
    expect(fnmatch("*", ".hidden")).toBe(false);
    expect(fnmatch("{x,y}.txt", "y.txt")).toBe(true);
  });

  it("walks directories, ** at any depth", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-glob-"));
    mkdirSync(path.join(dir, "a", "b"), { recursive: true });
    for (const f of ["one.log", "two.txt", ".dot.log", "a/three.log", "a/b/four.log"])
      writeFileSync(path.join(dir, f), "");
    expect(await glob(`${dir}/*.log`, 100)).toEqual([`${dir}/one.log`]);
    expect(await glob(`${dir}/**/*.log`, 100)).toEqual([
      `${dir}/a/b/four.log`,
      `${dir}/a/three.log`,
      `${dir}/one.log`,
    ]);
    expect(await glob(`${dir}/*.{log,txt}`, 100)).toEqual([`${dir}/one.log`, `${dir}/two.txt`]);
    expect(await glob(`${dir}/one.log`, 100)).toEqual([`${dir}/one.log`]);
    expect(await glob(`${dir}/missing/*.log`, 100)).toEqual([]);
    expect(await glob(`${dir}/**/*.log`, 2)).toHaveLength(2);
  });
});

describe("sincedb", () => {
  it("parses v2 and v1 records and skips malformed lines", () => {
    const records = parseSincedb(
      "1234 0 2049 100 1712345678.5 /var/log/a b.log\n55 8 1 7\ngarbage line\n\n99 0 1 5 notanumber /x\n",
      1000,
    );
    expect(records.get("1234 0 2049")).toEqual({
      position: 100,
      lastActive: 1712345678.5,
      path: "/var/log/a b.log",
    });
    expect(records.get("55 8 1")).toEqual({ position: 7, lastActive: 1000 });
    expect(records.size).toBe(2);
  });

  it("writes Logstash's v2 format and leaves out expired records", () => {
    const records = new Map([
      ["1 2 3", { position: 10, lastActive: 1000, path: "/a" }],
      ["4 5 6", { position: 20, lastActive: 10, path: "/b" }],
      ["7 8 9", { position: 30, lastActive: 1000 }],
    ]);
    expect(formatSincedb(records, 1000, 100)).toBe("1 2 3 10 1000.0 /a\n7 8 9 30 1000.0\n");
  });

  it("saves atomically and loads back; a missing file loads empty", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-sincedb-"));
    const file = path.join(dir, "deep", "sincedb");
    await saveSincedb(file, "1 2 3 10 1000.5 /a\n");
    const loaded = await loadSincedb(file);
    expect(loaded.get("1 2 3")).toEqual({ position: 10, lastActive: 1000.5, path: "/a" });
    expect((await loadSincedb(path.join(dir, "none"))).size).toBe(0);
  });

  it("splits device numbers like glibc", () => {
    expect(splitDevice(2049n)).toEqual({ major: 8n, minor: 1n });
    expect(splitDevice(0x12345n)).toEqual({ major: 0x123n, minor: 0x45n });
  });
});

describe("line splitter", () => {
  it("splits across chunks, keeps the unfinished line, counts consumed bytes", () => {
    const splitter = new LineSplitter(Buffer.from("\n"), 100);
    const first = splitter.push(Buffer.from("ab\ncd"));
    expect(first.map((l) => l.bytes.toString())).toEqual(["ab"]);
    expect(first[0]!.consumed).toBe(3);
    const second = splitter.push(Buffer.from("e\n\nf"));
    expect(second.map((l) => l.bytes.toString())).toEqual(["cde", ""]);
    expect(splitter.pendingBytes).toBe(1);
    expect(splitter.flush()?.toString()).toBe("f");
    expect(splitter.flush()).toBeUndefined();
  });

  it("finds a multi-byte delimiter split between chunks", () => {
    const splitter = new LineSplitter(Buffer.from("\r\n"), 100);
    expect(splitter.push(Buffer.from("one\r"))).toEqual([]);
    const lines = splitter.push(Buffer.from("\ntwo\r\n"));
    expect(lines.map((l) => l.bytes.toString())).toEqual(["one", "two"]);
    expect(lines.map((l) => l.consumed)).toEqual([5, 5]);
  });

  it("cuts a line longer than the limit", () => {
    const splitter = new LineSplitter(Buffer.from("\n"), 4);
    const lines = splitter.push(Buffer.from("abcdefghij"));
    expect(lines.map((l) => [l.bytes.toString(), l.cut])).toEqual([
      ["abcd", true],
      ["efgh", true],
    ]);
    expect(splitter.flush()?.toString()).toBe("ij");
  });
});
