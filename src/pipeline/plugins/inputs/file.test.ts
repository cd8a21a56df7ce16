import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { EcsCompatibility } from "../../event/index.js";
import { jsonCodec } from "../codecs/json.js";
import { multilineCodec } from "../codecs/multiline.js";
import { plainCodec } from "../codecs/plain.js";
import { makeCodec } from "../codecs/test-support.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { RecordingSink, sleep, testContext, testPlainCodec, waitFor } from "./file/test-helpers.js";
import { type FileInput, fileInput } from "./file.js";

const specDefaults: Record<string, OptionValue> = Object.fromEntries(
  Object.entries(fileInput.options)
    .filter(([, spec]) => spec.default !== undefined)
    .map(([name, spec]) => [name, spec.default!]),
);

function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "sluice-file-input-"));
}

interface Started {
  input: FileInput;
  sink: RecordingSink;
  done: Promise<void>;
  context: ReturnType<typeof testContext>;
}

function start(
  dir: string,
  options: Record<string, OptionValue>,
  ecs: EcsCompatibility = "v8",
  sink = new RecordingSink(),
): Started {
  const context = testContext({ ecsCompatibility: ecs, dataDir: dir });
  const all = { ...specDefaults, stat_interval: "20 ms", discover_interval: 1, ...options };
  const input = fileInput.create(ResolvedOptions.of(all, testPlainCodec()), context) as FileInput;
  return { input, sink, done: input.run(sink), context };
}

async function stop(started: Started): Promise<void> {
  started.input.stop();
  await started.done;
}

describe("file input, tail mode", () => {
  it("declares Logstash's options and defaults", () => {
    expect(fileInput.defaultCodec).toBe("plain");
    expect(fileInput.options.path!.required).toBe(true);
    expect(fileInput.options.start_position!.default).toBe("end");
    expect(fileInput.options.close_older!.default).toBe("1 hour");
    expect(fileInput.options.sincedb_write_interval!.default).toBe(15);
    expect(fileInput.options.file_chunk_size!.default).toBe(32768);
  });

  it("reads existing lines from the beginning, then appended ones; a partial line waits for its delimiter", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, "one\ntwo\n");
    const run = start(dir, { path: [log], start_position: "beginning" });
    await waitFor(() => run.sink.events.length === 2);
    appendFileSync(log, "three\nfour wi");
    await waitFor(() => run.sink.events.length === 3);
    await sleep(100);
    expect(run.sink.messages()).toEqual(["one", "two", "three"]);
    appendFileSync(log, "thout end\n");
    await waitFor(() => run.sink.events.length === 4);
    expect(run.sink.messages()[3]).toBe("four without end");
    await stop(run);
  });

  it("starts at the end by default and adds [log][file][path] and [host][name] (ECS)", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, "old\n");
    const run = start(dir, { path: [log] });
    await waitFor(() => run.input.discoveries > 0);
    appendFileSync(log, "new\n");
    await waitFor(() => run.sink.events.length === 1);
    const event = run.sink.events[0]!;
    expect(event.get("message")).toBe("new");
    expect(event.get("[log][file][path]")).toBe(log);
    expect(event.get("[host][name]")).toBe(os.hostname());
    expect(event.get("[@metadata][path]")).toBe(log);
    expect(event.get("[@metadata][host]")).toBe(os.hostname());
    await stop(run);
  });

  it("uses path and host with ECS disabled", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, "line\n");
    const run = start(dir, { path: [log], start_position: "beginning" }, "disabled");
    await waitFor(() => run.sink.events.length === 1);
    expect(run.sink.events[0]!.get("path")).toBe(log);
    expect(run.sink.events[0]!.get("host")).toBe(os.hostname());
    await stop(run);
  });

  it("reads files that appear after startup from their beginning, honouring globs and exclude", async () => {
    const dir = tmpDir();
    const run = start(dir, { path: [`${dir}/*.log`], exclude: ["*skip*"] });
    await waitFor(() => run.input.discoveries > 0);
    writeFileSync(path.join(dir, "late.log"), "hello\n");
    writeFileSync(path.join(dir, "skip-me.log"), "excluded\n");
    writeFileSync(path.join(dir, "other.txt"), "not matched\n");
    await waitFor(() => run.sink.events.length === 1);
    await sleep(100);
    expect(run.sink.messages()).toEqual(["hello"]);
    await stop(run);
  });

  it("follows rotation: finishes the renamed file, then reads the new one", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, "");
    const run = start(dir, { path: [log] });
    await waitFor(() => run.input.discoveries > 0);
    appendFileSync(log, "before\n");
    await waitFor(() => run.sink.events.length === 1);
    // Written just before rotation, and at once a new file: the old inode must still be read to its end.
    appendFileSync(log, "last of old\n");
    renameSync(log, `${log}.1`);
    writeFileSync(log, "first of new\n");
    await waitFor(() => run.sink.events.length === 3);
    expect(run.sink.messages()).toEqual(["before", "last of old", "first of new"]);
    await stop(run);
  });

  it("follows a rename to a name that still matches without reading the file again", async () => {
    const dir = tmpDir();
    const first = path.join(dir, "a.log");
    writeFileSync(first, "one\n");
    const run = start(dir, { path: [`${dir}/*.log`], start_position: "beginning" });
    await waitFor(() => run.sink.events.length === 1);
    const second = path.join(dir, "b.log");
    renameSync(first, second);
    await sleep(100);
    appendFileSync(second, "two\n");
    await waitFor(() => run.sink.events.length === 2);
    await sleep(100);
    expect(run.sink.messages()).toEqual(["one", "two"]);
    expect(run.sink.events[1]!.get("[log][file][path]")).toBe(second);
    await stop(run);
  });

  it("starts again from 0 when a file is truncated", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, "aaaaaaaaaa\nbbbbbbbbbb\n");
    const run = start(dir, { path: [log], start_position: "beginning" });
    await waitFor(() => run.sink.events.length === 2);
    truncateSync(log, 0);
    appendFileSync(log, "fresh\n");
    await waitFor(() => run.sink.events.length === 3);
    expect(run.sink.messages()[2]).toBe("fresh");
    await stop(run);
  });

  it("remembers positions in the sincedb across restarts (Logstash's v2 format)", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    const sincedb = path.join(dir, "sincedb");
    writeFileSync(log, "one\ntwo\npartial");
    const first = start(dir, { path: [log], start_position: "beginning", sincedb_path: sincedb });
    await waitFor(() => first.sink.events.length === 2);
    await stop(first);
    const stat = statSync(log);
    const record = readFileSync(sincedb, "utf8").trim().split(" ");
    expect(record[0]).toBe(String(stat.ino));
    // Only complete lines count: the partial line is read again after a restart.
    expect(record[3]).toBe("8");
    expect(Number(record[4])).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(record.slice(5).join(" ")).toBe(log);

    appendFileSync(log, " line\nthree\n");
    const second = start(dir, { path: [log], start_position: "beginning", sincedb_path: sincedb });
    await waitFor(() => second.sink.events.length === 2);
    await sleep(100);
    expect(second.sink.messages()).toEqual(["partial line", "three"]);
    await stop(second);
  });

  it("puts the default sincedb under the data directory, named by a hash of the paths", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, "x\n");
    const run = start(dir, { path: [log], start_position: "beginning" });
    await waitFor(() => run.sink.events.length === 1);
    await stop(run);
    expect(run.input.settings.sincedbPath).toMatch(/plugins\/inputs\/file\/\.sincedb_[0-9a-f]{32}$/);
    expect(readFileSync(run.input.settings.sincedbPath!, "utf8")).toContain(` ${log}\n`);
  });

  it("writes no sincedb for /dev/null", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, "x\n");
    const run = start(dir, { path: [log], start_position: "beginning", sincedb_path: "/dev/null" });
    await waitFor(() => run.sink.events.length === 1);
    await stop(run);
    expect(run.input.settings.sincedbPath).toBeUndefined();
    expect(existsSync(path.join(dir, "plugins"))).toBe(false);
  });

  it("stops reading while the queue is full and resumes on ready", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(""));
    const sink = new RecordingSink();
    sink.full = true;
    const run = start(dir, { path: [log], start_position: "beginning", file_chunk_size: 16 }, "v8", sink);
    await waitFor(() => sink.events.length > 0);
    await sleep(100);
    // One chunk's lines, then it waits.
    expect(sink.events.length).toBeLessThan(5);
    sink.release();
    await waitFor(() => sink.events.length === 100);
    expect(sink.messages()[99]).toBe("line 99");
    await stop(run);
  });

  it("splits lines at a custom delimiter", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, "a|b|c");
    const run = start(dir, { path: [log], start_position: "beginning", delimiter: "|" });
    await waitFor(() => run.sink.events.length === 2);
    expect(run.sink.messages()).toEqual(["a", "b"]);
    await stop(run);
  });

  it("skips the old content of files older than ignore_older", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "old.log");
    writeFileSync(log, "ancient\n");
    const past = new Date(Date.now() - 3600_000);
    utimesSync(log, past, past);
    const run = start(dir, { path: [log], start_position: "beginning", ignore_older: "10 min" });
    await waitFor(() => run.input.discoveries > 0);
    appendFileSync(log, "recent\n");
    await waitFor(() => run.sink.events.length === 1);
    expect(run.sink.messages()).toEqual(["recent"]);
    await stop(run);
  });

  it("closes idle files after close_older (flushing the decoder) and reopens them when they grow", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "app.log");
    writeFileSync(log, "one\n");
    const codec = testPlainCodec();
    const context = testContext({ dataDir: dir });
    const options = { ...specDefaults, path: [log], start_position: "beginning", stat_interval: "20 ms" };
    const input = fileInput.create(
      ResolvedOptions.of({ ...options, close_older: "100 ms", discover_interval: 1 }, codec),
      context,
    );
    const sink = new RecordingSink();
    const done = input.run(sink);
    await waitFor(() => sink.events.length === 1);
    await waitFor(() => codec.ends === 1, 5000, "decoder flushed on close");
    appendFileSync(log, "two\n");
    await waitFor(() => sink.events.length === 2);
    expect(codec.decoders).toBe(2);
    input.stop();
    await done;
  });

  it("reads no more than max_open_files files at once", async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, "a.log"), "a\n");
    writeFileSync(path.join(dir, "b.log"), "b\n");
    const run = start(dir, { path: [`${dir}/*.log`], start_position: "beginning", max_open_files: 1 });
    await waitFor(() => run.sink.events.length === 1);
    await sleep(100);
    expect(run.sink.events).toHaveLength(1);
    expect(run.context.warnings.join("")).toContain("max_open_files");
    await stop(run);
  });
});

describe("file input, read mode", () => {
  it("reads whole files (last line without delimiter too), deletes them and exits after read", async () => {
    const dir = tmpDir();
    const a = path.join(dir, "a.log");
    const b = path.join(dir, "b.log");
    writeFileSync(a, "a1\na2");
    writeFileSync(b, "b1\n");
    utimesSync(b, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    const run = start(dir, { path: [`${dir}/*.log`], mode: "read", exit_after_read: true });
    await run.done;
    // last_modified ascending: b is older, so first.
    expect(run.sink.messages()).toEqual(["b1", "a1", "a2"]);
    expect(existsSync(a)).toBe(false);
    expect(existsSync(b)).toBe(false);
  });

  it("sorts by path descending when asked", async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, "a.log"), "a\n");
    writeFileSync(path.join(dir, "b.log"), "b\n");
    const run = start(dir, {
      path: [`${dir}/*.log`],
      mode: "read",
      exit_after_read: true,
      file_sort_by: "path",
      file_sort_direction: "desc",
    });
    await run.done;
    expect(run.sink.messages()).toEqual(["b", "a"]);
  });

  it("logs completed files and keeps them with file_completed_action => log", async () => {
    const dir = tmpDir();
    const a = path.join(dir, "a.log");
    const done = path.join(dir, "done.txt");
    writeFileSync(a, "x\n");
    const run = start(dir, {
      path: [a],
      mode: "read",
      exit_after_read: true,
      file_completed_action: "log",
      file_completed_log_path: done,
    });
    await run.done;
    expect(readFileSync(done, "utf8")).toBe(`${a}\n`);
    expect(existsSync(a)).toBe(true);
  });

  it("logs and deletes with log_and_delete", async () => {
    const dir = tmpDir();
    const a = path.join(dir, "a.log");
    const done = path.join(dir, "done.txt");
    writeFileSync(a, "x\n");
    const run = start(dir, {
      path: [a],
      mode: "read",
      exit_after_read: true,
      file_completed_action: "log_and_delete",
      file_completed_log_path: done,
    });
    await run.done;
    expect(readFileSync(done, "utf8")).toBe(`${a}\n`);
    expect(existsSync(a)).toBe(false);
  });

  it("does not read a file again that the sincedb says is complete", async () => {
    const dir = tmpDir();
    const a = path.join(dir, "a.log");
    const done = path.join(dir, "done.txt");
    writeFileSync(a, "x\n");
    const options = {
      path: [a],
      mode: "read",
      exit_after_read: true,
      file_completed_action: "log",
      file_completed_log_path: done,
    };
    const first = start(dir, options);
    await first.done;
    const second = start(dir, options);
    await second.done;
    expect(first.sink.messages()).toEqual(["x"]);
    expect(second.sink.events).toHaveLength(0);
    expect(readFileSync(done, "utf8")).toBe(`${a}\n`);
  });

  it("decompresses gzip files", async () => {
    const dir = tmpDir();
    const gz = path.join(dir, "a.log.gz");
    writeFileSync(gz, gzipSync("z1\nz2\n"));
    const run = start(dir, { path: [gz], mode: "read", exit_after_read: true });
    await run.done;
    expect(run.sink.messages()).toEqual(["z1", "z2"]);
  });

  it("tags nothing and counts a failure for a broken gzip file, keeping it", async () => {
    const dir = tmpDir();
    const gz = path.join(dir, "bad.gz");
    writeFileSync(gz, "not gzip at all");
    const run = start(dir, { path: [gz], mode: "read", exit_after_read: true });
    await run.done;
    expect(run.context.failures).toEqual(["gzip_error"]);
    expect(existsSync(gz)).toBe(true);
  });

  it("keeps reading new files until stopped without exit_after_read", async () => {
    const dir = tmpDir();
    const run = start(dir, { path: [`${dir}/*.log`], mode: "read" });
    writeFileSync(path.join(dir, "later.log"), "later\n");
    await waitFor(() => run.sink.events.length === 1);
    await stop(run);
    expect(run.sink.messages()).toEqual(["later"]);
  });
});

describe("file input configuration", () => {
  const base = { ...specDefaults, path: ["/tmp/x.log"] };
  const create = (options: Record<string, OptionValue>) =>
    fileInput.create(ResolvedOptions.of({ ...base, ...options }, testPlainCodec()), testContext());

  it("refuses what Logstash refuses at register", () => {
    expect(() => create({ path: ["relative/x.log"] })).toThrow(/must be absolute/);
    expect(() => create({ exit_after_read: true })).toThrow(/only works when the "mode" is set to "read"/);
    expect(() => create({ mode: "read", file_completed_action: "log" })).toThrow(/file_completed_log_path/);
    expect(() => create({ sincedb_path: os.tmpdir() })).toThrow(/must point to a file/);
    expect(() => create({ stat_interval: "soon" })).toThrow(/stat_interval/);
    expect(() => create({ file_chunk_size: 0 })).toThrow(/file_chunk_size/);
  });

  it("warns that check_archive_validity is ignored", () => {
    const context = testContext();
    fileInput.create(
      ResolvedOptions.of({ ...base, check_archive_validity: true }, testPlainCodec()),
      context,
    );
    expect(context.warnings.join("")).toContain("check_archive_validity");
  });

  it("keeps no sincedb on disk without a data directory", () => {
    const input = create({}) as FileInput;
    expect(input.settings.sincedbPath).toBeUndefined();
  });
});

describe("file input with Sluice's codecs", () => {
  function startWith(dir: string, codec: ReturnType<typeof makeCodec>, options: Record<string, OptionValue>) {
    const context = testContext({ dataDir: dir });
    const all = { ...specDefaults, stat_interval: "20 ms", discover_interval: 1, ...options };
    const input = fileInput.create(ResolvedOptions.of(all, codec), context) as FileInput;
    const sink = new RecordingSink();
    return { input, sink, done: input.run(sink) };
  }

  it("plain: one event per line, without the delimiter", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "a.log");
    writeFileSync(log, "one\r\ntwo\n");
    const run = startWith(dir, makeCodec(plainCodec), { path: [log], mode: "read", exit_after_read: true });
    await run.done;
    expect(run.sink.messages()).toEqual(["one\r", "two"]);
  });

  it("json: each line is one document", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "a.log");
    writeFileSync(log, '{"a":1}\n{"a":2}\nnot json\n');
    const run = startWith(dir, makeCodec(jsonCodec), { path: [log], mode: "read", exit_after_read: true });
    await run.done;
    expect(run.sink.events.map((e) => e.get("a"))).toEqual([1, 2, undefined]);
    expect(run.sink.events[2]!.hasTag("_jsonparsefailure")).toBe(true);
  });

  it("multiline: indented lines join the previous one, and the last event is flushed at the end", async () => {
    const dir = tmpDir();
    const log = path.join(dir, "a.log");
    writeFileSync(log, "Exception: boom\n  at a()\n  at b()\nnext event\n  at c()");
    const codec = makeCodec(multilineCodec, { pattern: "^\\s", what: "previous" });
    const run = startWith(dir, codec, { path: [log], mode: "read", exit_after_read: true });
    await run.done;
    expect(run.sink.messages()).toEqual(["Exception: boom\n  at a()\n  at b()", "next event\n  at c()"]);
  });
});
