import { describe, expect, it } from "vitest";
import { OffsetIndex, TimeIndex } from "./indexes.js";

describe("sparse indexes", () => {
  it("offset index finds the floor entry and round-trips through its file format", () => {
    const index = new OffsetIndex();
    index.append(10, 4096);
    index.append(25, 8200);
    index.append(40, 12400);
    expect(index.positionFor(5)).toBe(0);
    expect(index.positionFor(10)).toBe(4096);
    expect(index.positionFor(39)).toBe(8200);
    expect(index.positionFor(1000)).toBe(12400);
    const decoded = OffsetIndex.decode(index.encode(100n, 20000), 100n, 20000);
    expect(decoded).toBeInstanceOf(OffsetIndex);
    expect((decoded as OffsetIndex).positionFor(30)).toBe(8200);
  });

  it("rejects a flipped byte, a stale size and a foreign base offset", () => {
    const index = new OffsetIndex();
    index.append(3, 5000);
    const file = index.encode(7n, 9000);
    const flipped = Buffer.from(file);
    flipped[flipped.length - 1]! ^= 0xff;
    expect(OffsetIndex.decode(flipped, 7n, 9000)).toBe("checksum mismatch");
    expect(OffsetIndex.decode(file, 7n, 9001)).toMatch(/stale/);
    expect(OffsetIndex.decode(file, 8n, 9000)).toMatch(/base offset/);
    expect(TimeIndex.decode(file, 7n, 9000)).toBe("bad magic");
  });

  it("time index keeps increasing timestamps and points scans before the first newer batch", () => {
    const index = new TimeIndex();
    index.append(100, 0);
    index.append(90, 5); // not newer: ignored
    index.append(200, 10);
    index.append(300, 20);
    expect(index.entries).toBe(3);
    expect(index.scanStartFor(50)).toBe(0);
    expect(index.scanStartFor(200)).toBe(0);
    expect(index.scanStartFor(201)).toBe(10);
    expect(index.scanStartFor(10_000)).toBe(20);
    const decoded = TimeIndex.decode(index.encode(0n, 64), 0n, 64) as TimeIndex;
    expect(decoded.lastTimestamp).toBe(300);
    expect(decoded.scanStartFor(250)).toBe(10);
  });
});
