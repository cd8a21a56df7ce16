// Hands out idempotent producer ids that never repeat across restarts: ids are reserved in blocks and the
// end of the reserved block is persisted before any id from it is given out.

import { join } from "node:path";
import { readMetaFile, writeMetaFile } from "./meta-file.js";

/** Ids reserved per disk write; a restart skips the unused rest of the block. */
export const producerIdBlockSize = 1000n;
const producerIdsKind = "producer-ids";

export class ProducerIdAllocator {
  private next = 0n;
  private reservedEnd = 0n;
  private pending: Promise<void> | null = null;

  private constructor(private readonly path: string) {}

  static async open(dataDir: string): Promise<ProducerIdAllocator> {
    const allocator = new ProducerIdAllocator(join(dataDir, "producer-ids.json"));
    const stored = await readMetaFile(allocator.path, producerIdsKind);
    const start = stored && typeof stored.nextBlockStart === "string" ? BigInt(stored.nextBlockStart) : 0n;
    allocator.next = start;
    allocator.reservedEnd = start;
    return allocator;
  }

  async allocate(): Promise<bigint> {
    while (this.next >= this.reservedEnd) {
      // One write at a time; concurrent callers wait for it and then take ids from the new block.
      if (!this.pending) {
        this.pending = this.reserveBlock().finally(() => {
          this.pending = null;
        });
      }
      await this.pending;
    }
    const id = this.next;
    this.next += 1n;
    return id;
  }

  private async reserveBlock(): Promise<void> {
    const end = this.reservedEnd + producerIdBlockSize;
    await writeMetaFile(this.path, producerIdsKind, { nextBlockStart: end.toString() });
    this.reservedEnd = end;
  }
}
