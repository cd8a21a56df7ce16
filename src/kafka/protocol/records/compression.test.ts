import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import * as lz4 from "lz4-napi";
import * as snappy from "snappy";
import { describe, expect, it } from "vitest";
import {
  type CompressionType,
  compress,
  compressionName,
  decompress,
  isCompressionType,
} from "./compression.js";
import { RecordFormatError } from "./errors.js";
import { xerialChunkBytes, xerialMagic } from "./snappy-framing.js";

const allTypes: CompressionType[] = [0, 1, 2, 3, 4];
const text = Buffer.from("hello kafka hello kafka hello kafka hello kafka\n");

function xerial(...blocks: Buffer[]): Buffer {
  const header = Buffer.concat([xerialMagic, Buffer.from("0000000100000001", "hex")]);
  const chunks = blocks.map((block) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    return Buffer.concat([length, block]);
  });
  return Buffer.concat([header, ...chunks]);
}

describe("compression names", () => {
  it("names the five codecs and flags unknown ids", () => {
    expect(allTypes.map(compressionName)).toEqual(["none", "gzip", "snappy", "lz4", "zstd"]);
    expect(compressionName(7)).toBe("unknown(7)");
    expect(isCompressionType(5)).toBe(false);
    expect(isCompressionType(4)).toBe(true);
  });
});

describe("round trips", () => {
  const inputs: [string, Buffer][] = [
    ["empty", Buffer.alloc(0)],
    ["one byte", Buffer.from([7])],
    ["text", text],
    ["random 200 KiB", randomBytes(200 * 1024)],
    ["repetitive 1 MiB", Buffer.alloc(1024 * 1024, "abcdefgh")],
  ];
  for (const type of allTypes) {
    for (const [name, data] of inputs) {
      it(`${compressionName(type)}: ${name}`, async () => {
        const packed = await compress(type, data);
        expect((await decompress(type, packed)).equals(data)).toBe(true);
      });
    }
  }
});

describe("snappy", () => {
  it("writes the xerial framing in 32 KiB chunks", async () => {
    const data = Buffer.alloc(xerialChunkBytes * 2 + 10, "x");
    const packed = await compress(2, data);
    expect(packed.subarray(0, 16).toString("hex")).toBe("82534e415050590000000001" + "00000001");
    let pos = 16;
    const sizes: number[] = [];
    while (pos < packed.length) {
      const length = packed.readInt32BE(pos);
      sizes.push((snappy.uncompressSync(packed.subarray(pos + 4, pos + 4 + length)) as Buffer).length);
      pos += 4 + length;
    }
    expect(sizes).toEqual([xerialChunkBytes, xerialChunkBytes, 10]);
  });

  it("reads a hand-built xerial vector and a raw block", async () => {
    // Raw block: uncompressed length 3, then a literal tag ((3 - 1) << 2) and the bytes "abc".
    const block = Buffer.from("0308616263", "hex");
    expect((await decompress(2, block)).toString()).toBe("abc");
    expect((await decompress(2, xerial(block, Buffer.from("0204786f", "hex")))).toString()).toBe("abcxo");
    expect((await decompress(2, xerial())).length).toBe(0);
  });

  it("reads raw blocks made by the snappy library", async () => {
    expect((await decompress(2, snappy.compressSync(text))).equals(text)).toBe(true);
  });

  it("rejects broken framing and blocks", async () => {
    const chunkTooLong = Buffer.concat([
      xerial(Buffer.from("0308616263", "hex")).subarray(0, 16),
      Buffer.from("000000ff01"),
    ]);
    await expect(decompress(2, chunkTooLong)).rejects.toThrow(/runs past the end/);
    await expect(decompress(2, Buffer.from("0308616263", "hex").subarray(0, 3))).rejects.toThrow(
      RecordFormatError,
    );
    await expect(decompress(2, Buffer.alloc(0))).rejects.toThrow(RecordFormatError);
  });
});

describe("lz4", () => {
  // Made by the lz4 command-line tool (frame with content checksum, 4 MiB blocks).
  const cliFrame = Buffer.from(
    "04224d186440a716000000cf68656c6c6f206b61666b61200c000c5061666b610a000000002054fb70",
    "hex",
  );

  it("reads a frame from the lz4 command-line tool", async () => {
    expect((await decompress(3, cliFrame)).equals(text)).toBe(true);
  });

  it("writes standard frames: version 01, independent blocks, 64 KiB maximum, no content size", async () => {
    const packed = await compress(3, text);
    expect(packed.readUInt32LE(0)).toBe(0x184d2204);
    expect(packed[4]! & 0xc0).toBe(0x40); // version 01
    expect(packed[4]! & 0x20).toBe(0x20); // block independence, which Kafka's Java reader requires
    expect(packed[4]! & 0x08).toBe(0); // no content size
    expect((packed[5]! >> 4) & 0x07).toBe(4); // 64 KiB blocks
  });

  it("reads concatenated frames and skips skippable frames", async () => {
    const skippable = Buffer.from("502a4d1803000000010203", "hex");
    const joined = Buffer.concat([cliFrame, skippable, await lz4.compressFrame(Buffer.from("more"))]);
    expect((await decompress(3, joined)).toString()).toBe(`${text}more`);
  });

  it("rejects a bad header checksum, bad magic and truncation", async () => {
    const badChecksum = Buffer.from(cliFrame);
    badChecksum[6]! ^= 0xff;
    await expect(decompress(3, badChecksum)).rejects.toThrow(RecordFormatError);
    await expect(decompress(3, Buffer.from("00112233445566", "hex"))).rejects.toThrow(/magic/);
    await expect(decompress(3, cliFrame.subarray(0, cliFrame.length - 9))).rejects.toThrow(RecordFormatError);
  });
});

describe("zstd", () => {
  // Made by `zstd -c` from a pipe: the frame has no content size in its header, as streaming compressors write.
  const cliFrame = Buffer.from("28b52ffd04589d00006868656c6c6f206b61666b61200a01004e9624d88b66f9", "hex");

  it("reads a frame without a content size", async () => {
    expect(cliFrame[4]! >> 6).toBe(0); // no content-size field
    expect((await decompress(4, cliFrame)).equals(text)).toBe(true);
  });

  it("reads a hand-built frame: no content size, one raw block", async () => {
    // Magic, descriptor 0x00 (no content size, window descriptor follows), window 0x00, last raw block of 3.
    const frame = Buffer.from("28b52ffd" + "00" + "00" + "190000" + "616263", "hex");
    expect((await decompress(4, frame)).toString()).toBe("abc");
    const twoFrames = Buffer.concat([frame, Buffer.from("28b52ffd0000" + "130000" + "78", "hex")]);
    expect((await decompress(4, twoFrames)).toString()).toBe("abcxx"); // second frame: RLE block "x" x2
  });

  it("rejects garbage and truncation", async () => {
    await expect(decompress(4, Buffer.from("28b52ffd0000", "hex"))).rejects.toThrow(RecordFormatError);
    await expect(decompress(4, cliFrame.subarray(0, 12))).rejects.toThrow(RecordFormatError);
    await expect(decompress(4, Buffer.from("not zstd at all"))).rejects.toThrow(/magic/);
  });
});

describe("gzip", () => {
  it("rejects corrupt data", async () => {
    const packed = gzipSync(text);
    packed[packed.length - 6]! ^= 0xff; // break the CRC32 trailer
    await expect(decompress(1, packed)).rejects.toThrow(RecordFormatError);
  });
});

describe("decompression bombs are bounded", () => {
  const zeros = Buffer.alloc(1024 * 1024);
  const maxBytes = 64 * 1024;

  for (const type of [1, 2, 3, 4] as CompressionType[]) {
    it(`${compressionName(type)}: 1 MiB of zeros against a 64 KiB limit`, async () => {
      const packed = await compress(type, zeros);
      expect(packed.length).toBeLessThan(maxBytes);
      await expect(decompress(type, packed, maxBytes)).rejects.toThrow(/limit/);
      expect((await decompress(type, packed, 8 * zeros.length)).length).toBe(zeros.length);
    });
  }

  it("uncompressed data larger than the limit is refused too", async () => {
    await expect(decompress(0, Buffer.alloc(10), 9)).rejects.toThrow(/limit/);
  });

  it("refuses headers that declare more than the default limit before decoding anything", async () => {
    // Snappy block declaring 2^31 bytes.
    await expect(decompress(2, Buffer.from("8080808008", "hex"))).rejects.toThrow(/declares/);
    // LZ4 frame of 4 MiB blocks: 70 compressed blocks of 16 KiB could each reach 4 MiB, 280 MiB in all.
    const lz4Header = Buffer.from("04224d18407000", "hex");
    const lz4Block = Buffer.concat([Buffer.from("00400000", "hex"), Buffer.alloc(16 * 1024)]);
    const lz4Frame = Buffer.concat([
      lz4Header,
      ...Array.from({ length: 70 }, () => lz4Block),
      Buffer.alloc(4),
    ]);
    await expect(decompress(3, lz4Frame)).rejects.toThrow(/may decompress/);
    // zstd frame of 2100 compressed blocks, each able to regenerate 128 KiB.
    const zstdHeader = Buffer.from("28b52ffd0000", "hex");
    const zstdBlocks = Buffer.concat(Array.from({ length: 2100 }, () => Buffer.from("0c000000", "hex")));
    const zstdLastBlock = Buffer.from("010000", "hex");
    await expect(decompress(4, Buffer.concat([zstdHeader, zstdBlocks, zstdLastBlock]))).rejects.toThrow(
      /may decompress/,
    );
  });
});
