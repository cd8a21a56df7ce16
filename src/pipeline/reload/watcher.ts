// Notices when a pipeline's configuration changed: re-expands its paths (a glob may now match other files) and
// hashes each file's content, re-reading a file only when its mtime or size moved or its mtime is too recent to
// trust (an edit within the same clock tick keeps the mtime).

import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { expandConfigPath } from "../config/load.js";

/** An mtime this close to now may yet be shared by another write; such files are re-read on every check. */
const racyMtimeMs = 2000;

export interface WatchedConfig {
  /** -f paths: files, directories or globs. */
  paths?: readonly string[];
  /** -e text. */
  string?: string;
}

interface FileMark {
  mtimeMs: number;
  size: number;
  hash: string;
}

export class ConfigWatcher {
  private last: string | undefined;
  private readonly marks = new Map<string, FileMark>();

  constructor(private readonly config: WatchedConfig) {}

  /** Remembers the current state as the one `changed()` compares with. */
  async baseline(): Promise<void> {
    this.last = await this.fingerprint();
  }

  /** True when the files (their set or any content) differ from the last check or the baseline. */
  async changed(): Promise<boolean> {
    const now = await this.fingerprint();
    const before = this.last;
    this.last = now;
    return before !== undefined && before !== now;
  }

  /** A hash over the string and, for each path, the files it expands to and their content hashes. */
  async fingerprint(): Promise<string> {
    const digest = createHash("sha256");
    if (this.config.string !== undefined) digest.update(`string\0${this.config.string}\0`);
    const seen = new Set<string>();
    for (const path of this.config.paths ?? []) {
      const files = await expandConfigPath(path);
      digest.update(`path\0${path}\0${files.length}\0`);
      for (const file of files) {
        seen.add(file);
        digest.update(`${file}\0${await this.contentHash(file)}\0`);
      }
    }
    for (const file of this.marks.keys()) if (!seen.has(file)) this.marks.delete(file);
    return digest.digest("hex");
  }

  private async contentHash(file: string): Promise<string> {
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) return "missing";
    const mark = this.marks.get(file);
    const trusted = Date.now() - info.mtimeMs > racyMtimeMs;
    if (mark && trusted && mark.mtimeMs === info.mtimeMs && mark.size === info.size) return mark.hash;
    const bytes = await readFile(file).catch(() => undefined);
    if (bytes === undefined) return "unreadable";
    const hash = createHash("sha256").update(bytes).digest("hex");
    this.marks.set(file, { mtimeMs: info.mtimeMs, size: info.size, hash });
    return hash;
  }
}
