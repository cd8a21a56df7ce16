// The committed-offsets log: restart, torn tail, corrupt records, compaction and group fsync.
import { appendFile, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger, silentLogger } from "../../common/logger.js";
import { encodeOffsetRecord, type OffsetEntry, readOffsetFrame } from "./offsets-record.js";
import { OffsetsStore, offsetsLogFileName } from "./offsets-store.js";

const entry = (
  topic: string,
  partition: number,
  offset: bigint,
  metadata: string | null = "m",
): OffsetEntry => ({
  topic,
  partition,
  offset,
  leaderEpoch: 3,
  metadata,
  commitTimestampMs: 1234,
});

function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: "debug", write: (l) => lines.push(l) }) };
}

describe("offsets record", () => {
  it("round-trips commits (null and unicode metadata) and tombstones", () => {
    for (const e of [entry("t", 0, 5n), entry("tøpic", 7, 2n ** 62n, null), entry("x", 1, -1n, "∂ata")]) {
      const frame = readOffsetFrame(encodeOffsetRecord({ kind: "commit", group: "grp", entry: e }), 0);
      expect(frame).toMatchObject({ status: "ok", record: { kind: "commit", group: "grp", entry: e } });
    }
    const t = readOffsetFrame(
      encodeOffsetRecord({ kind: "tombstone", group: "g", topic: "t", partition: 4 }),
      0,
    );
    expect(t).toMatchObject({
      status: "ok",
      record: { kind: "tombstone", group: "g", topic: "t", partition: 4 },
    });
  });

  it("detects a flipped bit as corrupt and a short buffer as torn", () => {
    const buf = encodeOffsetRecord({ kind: "commit", group: "g", entry: entry("t", 0, 1n) });
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 3] ^= 0x10;
    expect(readOffsetFrame(flipped, 0).status).toBe("corrupt");
    expect(readOffsetFrame(buf.subarray(0, buf.length - 1), 0).status).toBe("torn");
    expect(readOffsetFrame(Buffer.alloc(20), 0).status).toBe("garbage");
  });
});

describe("OffsetsStore", () => {
  it("keeps commits and tombstones across a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "offsets-"));
    const store = await OffsetsStore.open(dir, silentLogger);
    await store.write([
      { kind: "commit", group: "g", entry: entry("t", 0, 10n) },
      { kind: "commit", group: "g", entry: entry("t", 1, 20n) },
      { kind: "commit", group: "h", entry: entry("u", 0, 30n, null) },
    ]);
    await store.write([{ kind: "commit", group: "g", entry: entry("t", 0, 11n) }]);
    await store.write([{ kind: "tombstone", group: "h", topic: "u", partition: 0 }]);
    await store.close();
    const again = await OffsetsStore.open(dir, silentLogger);
    expect(again.get("g", "t", 0)?.offset).toBe(11n);
    expect(again.get("g", "t", 1)).toEqual(entry("t", 1, 20n));
    expect(again.hasOffsets("h")).toBe(false);
    expect(again.groups()).toEqual(["g"]);
    await again.close();
  });

  it("shares one fsync among concurrent commits and applies them in order", async () => {
    const dir = await mkdtemp(join(tmpdir(), "offsets-"));
    const store = await OffsetsStore.open(dir, silentLogger);
    const writes = Array.from({ length: 50 }, (_, i) =>
      store.write([{ kind: "commit", group: "g", entry: entry("t", 0, BigInt(i)) }]),
    );
    expect(store.get("g", "t", 0)).toBeUndefined(); // nothing visible before it is durable
    await Promise.all(writes);
    expect(store.get("g", "t", 0)?.offset).toBe(49n);
    await store.close();
  });

  it("truncates a torn tail on open with a log line, keeping the whole records", async () => {
    const dir = await mkdtemp(join(tmpdir(), "offsets-"));
    const store = await OffsetsStore.open(dir, silentLogger);
    await store.write([{ kind: "commit", group: "g", entry: entry("t", 0, 10n) }]);
    await store.close();
    const torn = encodeOffsetRecord({ kind: "commit", group: "g", entry: entry("t", 0, 99n) });
    await appendFile(join(dir, offsetsLogFileName), torn.subarray(0, torn.length - 5));
    const { lines, logger } = capturingLogger();
    const again = await OffsetsStore.open(dir, logger);
    expect(again.get("g", "t", 0)?.offset).toBe(10n);
    expect(lines.some((l) => l.includes("truncating offsets log"))).toBe(true);
    // The file was rewritten without the torn bytes, and later commits land after the good records.
    await again.write([{ kind: "commit", group: "g", entry: entry("t", 1, 5n) }]);
    await again.close();
    const third = await OffsetsStore.open(dir, silentLogger);
    expect(third.get("g", "t", 1)?.offset).toBe(5n);
    expect(third.get("g", "t", 0)?.offset).toBe(10n);
    await third.close();
  });

  it("skips a corrupt record in the middle with a log line and keeps the ones after it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "offsets-"));
    const records = [
      encodeOffsetRecord({ kind: "commit", group: "g", entry: entry("t", 0, 1n) }),
      encodeOffsetRecord({ kind: "commit", group: "g", entry: entry("t", 1, 2n) }),
      encodeOffsetRecord({ kind: "commit", group: "g", entry: entry("t", 2, 3n) }),
    ];
    records[1][records[1].length - 2] ^= 0xff;
    await writeFile(join(dir, offsetsLogFileName), Buffer.concat(records));
    const { lines, logger } = capturingLogger();
    const store = await OffsetsStore.open(dir, logger);
    expect(store.get("g", "t", 0)?.offset).toBe(1n);
    expect(store.get("g", "t", 1)).toBeUndefined();
    expect(store.get("g", "t", 2)?.offset).toBe(3n);
    expect(lines.some((l) => l.includes("skipping corrupt offsets record"))).toBe(true);
    await store.close();
  });

  it("compacts to the live entries on open and on demand", async () => {
    const dir = await mkdtemp(join(tmpdir(), "offsets-"));
    const path = join(dir, offsetsLogFileName);
    const store = await OffsetsStore.open(dir, silentLogger);
    for (let i = 0; i < 200; i++)
      await store.write([{ kind: "commit", group: "g", entry: entry("t", 0, BigInt(i)) }]);
    const grown = (await stat(path)).size;
    await store.compact();
    const compacted = (await stat(path)).size;
    expect(compacted).toBeLessThan(grown / 100);
    expect(store.get("g", "t", 0)?.offset).toBe(199n);
    await store.write([{ kind: "commit", group: "g", entry: entry("t", 0, 500n) }]);
    await store.close();
    const again = await OffsetsStore.open(dir, silentLogger);
    expect(again.get("g", "t", 0)?.offset).toBe(500n);
    expect((await readFile(path)).length).toBe(compacted);
    await again.close();
  });
});
