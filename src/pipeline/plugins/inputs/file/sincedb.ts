// The file input's sincedb: how far each file (known by inode and device) has been read, in Logstash's v2
// text format, one record a line: `inode major minor position last_active path`. Written atomically.

import { type BigIntStats, promises as fs } from "node:fs";
import path from "node:path";
import { limits } from "../../../../common/limits.js";

/** `inode major minor`, as Logstash writes it: the identity of a file whatever its name. */
export type FileKey = string;

export interface SincedbRecord {
  position: number;
  /** Seconds since the epoch of the last change (Logstash's last_changed_at). */
  lastActive: number;
  /** The path last read under this key; absent in v1 records. */
  path?: string;
}

/** The key of a stat'ed file: its inode and the major/minor numbers of its device. */
export function fileKeyOf(stat: BigIntStats): FileKey {
  const { major, minor } = splitDevice(stat.dev);
  return `${stat.ino} ${major} ${minor}`;
}

/** Linux's dev_t encoding (glibc's gnu_dev_major/minor). */
export function splitDevice(dev: bigint): { major: bigint; minor: bigint } {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { major, minor };
}

/** Parses sincedb text; malformed lines are skipped (Logstash logs and skips them too). */
export function parseSincedb(text: string, now = Date.now() / 1000): Map<FileKey, SincedbRecord> {
  const records = new Map<FileKey, SincedbRecord>();
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 4 || !parts.slice(0, 4).every((p) => /^\d+$/.test(p))) continue;
    const key = parts.slice(0, 3).join(" ");
    const position = Number(parts[3]);
    if (parts.length >= 5) {
      const lastActive = Number(parts[4]);
      if (!Number.isFinite(lastActive)) continue;
      const record: SincedbRecord = { position, lastActive };
      if (parts.length > 5) record.path = parts.slice(5).join(" ");
      records.set(key, record);
    } else {
      records.set(key, { position, lastActive: now });
    }
  }
  return records;
}

/** Sincedb text; records not changed within `expirySeconds` are left out (sincedb_clean_after). */
export function formatSincedb(
  records: ReadonlyMap<FileKey, SincedbRecord>,
  now: number,
  expirySeconds: number,
): string {
  let text = "";
  for (const [key, record] of records) {
    if (now > record.lastActive + expirySeconds) continue;
    text += `${key} ${record.position} ${formatSeconds(record.lastActive)}`;
    if (record.path !== undefined) text += ` ${record.path}`;
    text += "\n";
  }
  return text;
}

/** Like Ruby's Float#to_s for a timestamp: always a decimal point. */
function formatSeconds(seconds: number): string {
  const text = String(Math.round(seconds * 1000) / 1000);
  return text.includes(".") ? text : `${text}.0`;
}

/** Reads a sincedb file; a missing, oversized or unreadable one reads as empty. */
export async function loadSincedb(file: string): Promise<Map<FileKey, SincedbRecord>> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile() || stat.size > limits.fileInputSincedbBytesMax) return new Map();
    return parseSincedb(await fs.readFile(file, "utf8"));
  } catch {
    return new Map();
  }
}

/** Writes through a temporary file and a rename, so a crash leaves the old or the new sincedb, never half. */
export async function saveSincedb(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, text);
  await fs.rename(temp, file);
}
