import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigWatcher } from "./watcher.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-watch-"));
  dirs.push(dir);
  return dir;
}

describe("ConfigWatcher", () => {
  it("reports no change before a baseline, and none while nothing changes", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "a.conf"), "input {}");
    const watcher = new ConfigWatcher({ paths: [join(dir, "a.conf")] });
    expect(await watcher.changed()).toBe(false);
    expect(await watcher.changed()).toBe(false);
  });

  it("sees a content edit even when size and mtime stay the same", async () => {
    const dir = await tempDir();
    const file = join(dir, "a.conf");
    await writeFile(file, "input { a }");
    const when = new Date();
    await utimes(file, when, when);
    const watcher = new ConfigWatcher({ paths: [file] });
    await watcher.baseline();
    await writeFile(file, "input { b }");
    await utimes(file, when, when);
    expect(await watcher.changed()).toBe(true);
    expect(await watcher.changed()).toBe(false);
  });

  it("ignores a touch that leaves the content alone", async () => {
    const dir = await tempDir();
    const file = join(dir, "a.conf");
    await writeFile(file, "input { a }");
    const watcher = new ConfigWatcher({ paths: [file] });
    await watcher.baseline();
    const later = new Date(Date.now() + 60_000);
    await utimes(file, later, later);
    expect(await watcher.changed()).toBe(false);
  });

  it("re-hashes a file whose old mtime changed, and trusts an old unchanged one", async () => {
    const dir = await tempDir();
    const file = join(dir, "a.conf");
    await writeFile(file, "one");
    const old = new Date(Date.now() - 3_600_000);
    await utimes(file, old, old);
    const watcher = new ConfigWatcher({ paths: [file] });
    await watcher.baseline();
    expect(await watcher.changed()).toBe(false);
    await writeFile(file, "two");
    const older = new Date(Date.now() - 7_200_000);
    await utimes(file, older, older);
    expect(await watcher.changed()).toBe(true);
  });

  it("sees files appear in and disappear from a directory or glob", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "1.conf"), "input {}");
    const byDir = new ConfigWatcher({ paths: [dir] });
    const byGlob = new ConfigWatcher({ paths: [join(dir, "*.conf")] });
    await byDir.baseline();
    await byGlob.baseline();
    await writeFile(join(dir, "2.conf"), "output {}");
    expect(await byDir.changed()).toBe(true);
    expect(await byGlob.changed()).toBe(true);
    await writeFile(join(dir, "3.txt"), "filter {}");
    expect(await byDir.changed()).toBe(true);
    expect(await byGlob.changed()).toBe(false);
    await rm(join(dir, "1.conf"));
    expect(await byGlob.changed()).toBe(true);
  });

  it("sees a missing file come back", async () => {
    const dir = await tempDir();
    const file = join(dir, "late.conf");
    const watcher = new ConfigWatcher({ paths: [file] });
    await watcher.baseline();
    expect(await watcher.changed()).toBe(false);
    await writeFile(file, "input {}");
    expect(await watcher.changed()).toBe(true);
  });

  it("fingerprints a -e string, which never changes", async () => {
    const a = await new ConfigWatcher({ string: "input { a }" }).fingerprint();
    const b = await new ConfigWatcher({ string: "input { b }" }).fingerprint();
    expect(a).not.toBe(b);
    const watcher = new ConfigWatcher({ string: "input { a }" });
    await watcher.baseline();
    expect(await watcher.changed()).toBe(false);
  });
});
