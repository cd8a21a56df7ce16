import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { Event, Timestamp } from "../../event/index.js";
import type { Codec } from "../api.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { linesCodec, recordingContext } from "./common/test-support.js";
import { FileOutput, fileOutput, fileOutputSettings, permissionBits } from "./file.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-file-output-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function withDefaults(given: Record<string, OptionValue>): ResolvedOptions {
  const values: Record<string, OptionValue> = {};
  for (const [name, spec] of Object.entries(fileOutput.options))
    if (spec.default !== undefined) values[name] = spec.default;
  return ResolvedOptions.of({ ...values, ...given }, linesCodec);
}

function make(given: Record<string, OptionValue>, overrides: { openFilesMax?: number; codec?: Codec } = {}) {
  const recording = recordingContext();
  const settings = { ...fileOutputSettings(withDefaults(given)), ...overrides };
  const output = new FileOutput(settings, overrides.codec ?? linesCodec, recording.context);
  return { output, ...recording };
}

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));
}

describe("file output", () => {
  it("declares Logstash's options and defaults", () => {
    const o = fileOutput.options;
    expect(fileOutput.defaultCodec).toBe("json_lines");
    expect(o.path!.required).toBe(true);
    expect(o.flush_interval!.default).toBe(2);
    expect(o.gzip!.default).toBe(false);
    expect(o.filename_failure!.default).toBe("_filepath_failures");
    expect(o.create_if_deleted!.default).toBe(true);
    expect(o.dir_mode!.default).toBe(-1);
    expect(o.file_mode!.default).toBe(-1);
    expect(o.write_behavior!.default).toBe("append");
    expect(o.stale_cleanup_interval!.default).toBe(10);
    expect(o.message_format!.obsolete).toMatch(/line codec/);
  });

  it("writes every event of a batch to a static path, creating directories", async () => {
    const dir = await tempDir();
    const path = join(dir, "a", "b", "out.log");
    const { output } = make({ path, flush_interval: 0 });
    await output.receive([new Event({ message: "one" }), new Event({ message: "two" })]);
    expect(lines(path).map((e) => e.message)).toEqual(["one", "two"]);
    await output.receive([new Event({ message: "three" })]);
    expect(lines(path).map((e) => e.message)).toEqual(["one", "two", "three"]);
    await output.close();
    await output.close();
  });

  it("interpolates fields and dates per event", async () => {
    const dir = await tempDir();
    const { output } = make({ path: `${dir}/%{type}/log-%{+YYYY-MM-dd}.txt`, flush_interval: 0 });
    const at = Timestamp.parse("2013-05-29T10:00:00.000Z")!;
    await output.receive([
      new Event({ type: "web", message: "w", "@timestamp": at }),
      new Event({ type: "db", message: "d", "@timestamp": at }),
      new Event({ type: "web", message: "w2", "@timestamp": at }),
    ]);
    expect(lines(join(dir, "web", "log-2013-05-29.txt")).map((e) => e.message)).toEqual(["w", "w2"]);
    expect(lines(join(dir, "db", "log-2013-05-29.txt")).map((e) => e.message)).toEqual(["d"]);
    await output.close();
  });

  it("writes a batch spanning several paths with each file's events in order", async () => {
    const dir = await tempDir();
    const { output } = make({ path: `${dir}/%{host}.log`, flush_interval: 0 });
    const hosts = ["a", "b", "c"];
    const batch = Array.from({ length: 30 }, (_, n) => new Event({ host: hosts[(n * 7) % 3], n }));
    await output.receive(batch);
    await output.receive([new Event({ host: "c", n: 30 }), new Event({ host: "a", n: 31 })]);
    await output.close();
    for (const host of hosts) {
      const expected = [...batch, new Event({ host: "c", n: 30 }), new Event({ host: "a", n: 31 })]
        .filter((e) => e.get("host") === host)
        .map((e) => e.get("n"));
      expect(lines(join(dir, `${host}.log`)).map((e) => e.n)).toEqual(expected);
    }
    expect(readdirSync(dir).sort()).toEqual(["a.log", "b.log", "c.log"]);
  });

  it("keeps each file's order across batches held for a flush interval, with gzip", async () => {
    const dir = await tempDir();
    const { output } = make({ path: `${dir}/%{k}.gz`, flush_interval: 60, gzip: true });
    await output.receive([
      new Event({ k: "x", n: 1 }),
      new Event({ k: "y", n: 2 }),
      new Event({ k: "x", n: 3 }),
    ]);
    await output.receive([new Event({ k: "y", n: 4 }), new Event({ k: "x", n: 5 })]);
    await output.close();
    const read = (name: string) =>
      gunzipSync(readFileSync(join(dir, name)))
        .toString()
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).n);
    expect(read("x.gz")).toEqual([1, 3, 5]);
    expect(read("y.gz")).toEqual([2, 4]);
  });

  it("write_behavior => overwrite keeps each file's last event of a mixed batch", async () => {
    const dir = await tempDir();
    const { output } = make({ path: `${dir}/%{k}.json`, flush_interval: 0, write_behavior: "overwrite" });
    await output.receive([
      new Event({ k: "p", n: 1 }),
      new Event({ k: "q", n: 2 }),
      new Event({ k: "p", n: 3 }),
    ]);
    expect(lines(join(dir, "p.json")).map((e) => e.n)).toEqual([3]);
    expect(lines(join(dir, "q.json")).map((e) => e.n)).toEqual([2]);
    await output.close();
  });

  it("refuses a path whose first directory is dynamic", () => {
    for (const path of ["/%{name}", "/a- %{name}", "/%{name}/x.log"])
      expect(() => fileOutput.create(withDefaults({ path }), recordingContext().context)).toThrow(/dynamic/);
    const ok = fileOutput.create(withDefaults({ path: "/tmp/%{name}" }), recordingContext().context);
    void ok.close?.();
  });

  it("sends events whose path escapes the static directory to the failure file", async () => {
    const dir = await tempDir();
    const root = join(dir, "root");
    const { output, failures, logs } = make({ path: `${root}/%{error}`, flush_interval: 0 });
    const escapes = `${"../".repeat(root.split("/").length)}notcool`;
    await output.receive([
      new Event({ error: escapes, message: "bad" }),
      new Event({ error: "../sibling", message: "bad2" }),
      new Event({ error: "ok.log", message: "good" }),
      new Event({ error: "inside/../deep/nested.log", message: "good2" }),
    ]);
    expect(lines(join(root, "_filepath_failures")).map((e) => e.message)).toEqual(["bad", "bad2"]);
    expect(lines(join(root, "ok.log")).map((e) => e.message)).toEqual(["good"]);
    expect(lines(join(root, "deep", "nested.log")).map((e) => e.message)).toEqual(["good2"]);
    expect(existsSync("/notcool")).toBe(false);
    expect(existsSync(join(dir, "sibling"))).toBe(false);
    expect(failures).toEqual(["file_path_outside_root", "file_path_outside_root"]);
    expect(logs.some((l) => l.includes("outside the files root"))).toBe(true);
    await output.close();
  });

  it("keeps url-encoded dots literal (no decoding of the interpolated path)", async () => {
    const dir = await tempDir();
    const { output } = make({ path: `${dir}/%{error}`, flush_interval: 0 });
    await output.receive([new Event({ error: "%2E%2E%2ftest" })]);
    expect(readdirSync(dir)).toEqual(["%2E%2E%2ftest"]);
    await output.close();
  });

  it("gzip output is readable by zlib, across several flushes and a close", async () => {
    const dir = await tempDir();
    const path = join(dir, "out.gz");
    const { output } = make({ path, flush_interval: 0, gzip: true });
    await output.receive([new Event({ message: "a" }), new Event({ message: "b" })]);
    await output.receive([new Event({ message: "c" })]);
    await output.close();
    const text = gunzipSync(readFileSync(path)).toString();
    expect(
      text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).message),
    ).toEqual(["a", "b", "c"]);
  });

  it("holds events until the flush interval passes, then writes them without a new batch", async () => {
    const dir = await tempDir();
    const path = join(dir, "slow.log");
    const { output } = make({ path, flush_interval: 1 });
    await output.receive([new Event({ message: "x" }), new Event({ message: "y" })]);
    expect(readFileSync(path, "utf8")).toBe("");
    await new Promise((r) => setTimeout(r, 1300));
    expect(lines(path).map((e) => e.message)).toEqual(["x", "y"]);
    await output.close();
  });

  it("flushes pending events on close", async () => {
    const dir = await tempDir();
    const path = join(dir, "pending.log");
    const { output } = make({ path, flush_interval: 60 });
    await output.receive([new Event({ message: "kept" })]);
    await output.close();
    expect(lines(path).map((e) => e.message)).toEqual(["kept"]);
  });

  it("write_behavior => overwrite leaves only the last event", async () => {
    const dir = await tempDir();
    const path = join(dir, "latest.json");
    const { output } = make({ path, flush_interval: 0, write_behavior: "overwrite" });
    await output.receive([new Event({ value: 1 }), new Event({ value: 2 })]);
    expect(lines(path).map((e) => e.value)).toEqual([2]);
    await output.receive([new Event({ value: 3 })]);
    expect(lines(path).map((e) => e.value)).toEqual([3]);
    await output.close();
  });

  it("recreates a file deleted while open (create_if_deleted => true)", async () => {
    const dir = await tempDir();
    const path = join(dir, "recreated.log");
    const { output } = make({ path, flush_interval: 0 });
    await output.receive([new Event({ message: "before" })]);
    rmSync(path);
    await output.receive([new Event({ message: "after" })]);
    expect(lines(path).map((e) => e.message)).toEqual(["after"]);
    await output.close();
  });

  it("writes to the failure file when the file is missing and create_if_deleted => false", async () => {
    const dir = await tempDir();
    const path = join(dir, "missing.log");
    const { output } = make({ path, flush_interval: 0, create_if_deleted: false });
    await output.receive([new Event({ message: "lost" })]);
    expect(existsSync(path)).toBe(false);
    expect(lines(join(dir, "_filepath_failures")).map((e) => e.message)).toEqual(["lost"]);
    writeFileSync(path, "");
    await output.receive([new Event({ message: "found" })]);
    expect(lines(path).map((e) => e.message)).toEqual(["found"]);
    await output.close();
  });

  it("honours filename_failure", async () => {
    const dir = await tempDir();
    const { output } = make({ path: `${dir}/%{f}`, flush_interval: 0, filename_failure: "rejects.log" });
    await output.receive([new Event({ f: "../out", message: "r" })]);
    expect(lines(join(dir, "rejects.log")).map((e) => e.message)).toEqual(["r"]);
    await output.close();
  });

  it("creates directories and files with exact dir_mode and file_mode", async () => {
    const dir = await tempDir();
    const path = join(dir, "is", "nested", "output.txt");
    const { output } = make({ path, flush_interval: 0, dir_mode: 751, file_mode: 610 });
    await output.receive([new Event({ message: "hello world" })]);
    await output.close();
    const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
    expect(mode(path)).toBe("610");
    expect(mode(join(dir, "is"))).toBe("751");
    expect(mode(join(dir, "is", "nested"))).toBe("751");
  });

  it("reads permission numbers as octal digits", () => {
    expect(permissionBits(-1)).toBeUndefined();
    expect(permissionBits(750)).toBe(0o750);
    expect(permissionBits(420)).toBe(0o420);
    expect(permissionBits(489)).toBe(489);
  });

  it("keeps open files bounded, closing the least recently written, and loses nothing", async () => {
    const dir = await tempDir();
    const { output } = make({ path: `${dir}/%{n}.log`, flush_interval: 60 }, { openFilesMax: 3 });
    for (let round = 0; round < 2; round++) {
      const batch = Array.from({ length: 10 }, (_, n) => new Event({ n, round }));
      await output.receive(batch);
      expect(output.openFiles).toBeLessThanOrEqual(3);
    }
    await output.close();
    for (let n = 0; n < 10; n++) expect(lines(join(dir, `${n}.log`)).map((e) => e.round)).toEqual([0, 1]);
  });

  it("closes files not written since the previous stale sweep", async () => {
    const dir = await tempDir();
    const { output } = make({ path: `${dir}/%{n}.log`, flush_interval: 0, stale_cleanup_interval: 0 });
    await output.receive([new Event({ n: "a" }), new Event({ n: "b" })]);
    expect(output.openFiles).toBe(2);
    await output.receive([new Event({ n: "a" })]);
    expect(output.openFiles).toBe(1);
    await output.close();
    expect(lines(join(dir, "b.log"))).toHaveLength(1);
  });

  it("logs and counts a write that fails, without throwing", async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, "blocker"), "a file, not a directory");
    const { output, failures, logs } = make({ path: `${dir}/blocker/%{n}.log`, flush_interval: 0 });
    await expect(output.receive([new Event({ n: 1 })])).resolves.toBeUndefined();
    expect(failures).toEqual(["file_write"]);
    expect(logs.some((l) => l.includes("cannot write to file") && l.includes("plugin=test_output"))).toBe(
      true,
    );
    await output.receive([]);
    await output.close();
  });

  it("drops an event its codec cannot encode and counts it", async () => {
    const dir = await tempDir();
    const path = join(dir, "c.log");
    const picky: Codec = {
      createDecoder: () => ({ write: () => {}, end: () => {} }),
      encode: (e) => {
        if (e.get("bad")) throw new Error("nope");
        return `${JSON.stringify(e.toObject())}\n`;
      },
    };
    const { output, failures } = make({ path, flush_interval: 0 }, { codec: picky });
    await output.receive([new Event({ bad: true }), new Event({ message: "fine" })]);
    expect(lines(path).map((e) => e.message)).toEqual(["fine"]);
    expect(failures).toEqual(["encode"]);
    await output.close();
  });

  it("drops and counts events received after close", async () => {
    const dir = await tempDir();
    const { output, failures } = make({ path: join(dir, "x.log"), flush_interval: 0 });
    await output.close();
    await output.receive([new Event({ message: "late" })]);
    expect(failures).toEqual(["file_closed"]);
    expect(existsSync(join(dir, "x.log"))).toBe(false);
  });
});
