// The dead-letter queue's files: segments (a header, then one checksummed record per entry) and the encoding of
// an entry (the event with its Timestamps intact, why it was dead-lettered, by which plugin, when).

import { crc32c } from "@node-rs/crc32";
import { type Event, Timestamp } from "../event/index.js";
import { eventFromStored, storedFields } from "../queue/event-codec.js";

/**
 * Segment header (big-endian):
 *   0  magic     uint32  "SLDQ"
 *   4  version   uint16  1
 *   6  reserved  uint16  0
 *   8  createdMs uint64  when the segment was started
 *   16 crc       uint32  CRC32C of bytes [0, 16)
 */
export const segmentHeaderBytes = 20;
const segmentMagic = 0x534c4451;
const segmentVersion = 1;
const segmentPattern = /^segment\.(\d{20})$/;

export function segmentFileName(num: number): string {
  return `segment.${String(num).padStart(20, "0")}`;
}

export function segmentNumbers(names: readonly string[]): number[] {
  const nums: number[] = [];
  for (const name of names) {
    const m = segmentPattern.exec(name);
    if (m !== null) nums.push(Number(m[1]));
  }
  return nums.sort((a, b) => a - b);
}

export function encodeSegmentHeader(createdMs: number): Buffer {
  const header = Buffer.alloc(segmentHeaderBytes);
  header.writeUInt32BE(segmentMagic, 0);
  header.writeUInt16BE(segmentVersion, 4);
  header.writeBigUInt64BE(BigInt(createdMs), 8);
  header.writeUInt32BE(crc32c(header.subarray(0, 16)) >>> 0, 16);
  return header;
}

/** undefined when the header is good, else what is wrong with it. */
export function segmentHeaderProblem(header: Buffer): string | undefined {
  if (header.length < segmentHeaderBytes) return `header is ${header.length} bytes`;
  if (header.readUInt32BE(0) !== segmentMagic) return `bad magic 0x${header.readUInt32BE(0).toString(16)}`;
  if (header.readUInt16BE(4) !== segmentVersion) return `unsupported version ${header.readUInt16BE(4)}`;
  if (crc32c(header.subarray(0, 16)) >>> 0 !== header.readUInt32BE(16)) return "header checksum mismatch";
  return undefined;
}

export interface DeadLetterEntry {
  event: Event;
  reason: string;
  pluginId: string;
  pluginType: string;
  entryTime: Timestamp;
}

export function encodeEntry(entry: DeadLetterEntry): Buffer {
  const record = {
    event: storedFields(entry.event),
    reason: entry.reason,
    plugin_id: entry.pluginId,
    plugin_type: entry.pluginType,
    entry_time: [entry.entryTime.epochMs, entry.entryTime.nanosOfMilli],
  };
  return Buffer.from(JSON.stringify(record), "utf8");
}

/** Throws when the bytes are not an entry. */
export function decodeEntry(bytes: Buffer): DeadLetterEntry {
  const record = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  const { reason, plugin_id, plugin_type, entry_time } = record;
  if (typeof reason !== "string" || typeof plugin_id !== "string" || typeof plugin_type !== "string")
    throw new Error("entry lacks reason, plugin_id or plugin_type");
  return {
    event: eventFromStored(record.event),
    reason,
    pluginId: plugin_id,
    pluginType: plugin_type,
    entryTime: entryTime(entry_time),
  };
}

function entryTime(value: unknown): Timestamp {
  if (!Array.isArray(value)) throw new Error("entry lacks entry_time");
  const [epochMs, nanos] = value as unknown[];
  if (
    !Number.isSafeInteger(epochMs) ||
    !Number.isInteger(nanos) ||
    (nanos as number) < 0 ||
    (nanos as number) > 999_999
  )
    throw new Error("entry_time is not [epochMs, nanosOfMilli]");
  return new Timestamp(epochMs as number, nanos as number);
}
