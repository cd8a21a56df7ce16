// Small broker state files (cluster id, producer id counter): JSON with a magic, a version and a CRC32C.
// Written to a temp file, fsynced and renamed so a crash leaves the old or the new file, never half of one.

import { open, readFile, rename } from "node:fs/promises";
import { crc32c } from "@node-rs/crc32";

export const metaFileMagic = "sluice-meta";
export const metaFileVersion = 1;

export class MetaFileError extends Error {
  override name = "MetaFileError";
}

interface MetaEnvelope {
  magic: string;
  version: number;
  kind: string;
  crc32c: number;
  body: string;
}

/** Reads a meta file of `kind`; null when it does not exist, MetaFileError when it is corrupt. */
export async function readMetaFile(path: string, kind: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let envelope: MetaEnvelope;
  try {
    envelope = JSON.parse(text) as MetaEnvelope;
  } catch {
    throw new MetaFileError(`${path}: not JSON`);
  }
  if (envelope?.magic !== metaFileMagic || envelope.kind !== kind)
    throw new MetaFileError(`${path}: bad magic`);
  if (envelope.version !== metaFileVersion)
    throw new MetaFileError(`${path}: unknown version ${envelope.version}`);
  if (typeof envelope.body !== "string" || crc32c(envelope.body) >>> 0 !== envelope.crc32c) {
    throw new MetaFileError(`${path}: checksum mismatch`);
  }
  return JSON.parse(envelope.body) as Record<string, unknown>;
}

export async function writeMetaFile(
  path: string,
  kind: string,
  body: Record<string, unknown>,
): Promise<void> {
  const bodyText = JSON.stringify(body);
  const envelope: MetaEnvelope = {
    magic: metaFileMagic,
    version: metaFileVersion,
    kind,
    crc32c: crc32c(bodyText) >>> 0,
    body: bodyText,
  };
  const tmp = `${path}.tmp`;
  const file = await open(tmp, "w");
  try {
    await file.writeFile(`${JSON.stringify(envelope)}\n`);
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}
