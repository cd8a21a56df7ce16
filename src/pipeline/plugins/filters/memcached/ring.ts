// Which memcached server holds a key: the dalli client's consistent-hash ring (160 SHA-1 points per server,
// CRC-32 of the key, failover by rehashing "<try><key>"), so Sluice and Logstash agree on where a key lives.

import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

const pointsPerServer = 160;
const failoverTries = 20;

interface Point {
  value: number;
  server: number;
}

export class HashRing {
  private readonly points: Point[];

  /** `names` are "host:port" as dalli spells them; the ring returns indexes into that list. */
  constructor(private readonly names: readonly string[]) {
    this.points = [];
    if (names.length < 2) return;
    names.forEach((name, server) => {
      for (let i = 0; i < pointsPerServer; i++) {
        const digest = createHash("sha1").update(`${name}:${i}`).digest("hex");
        this.points.push({ value: Number.parseInt(digest.slice(0, 8), 16), server });
      }
    });
    this.points.sort((a, b) => a.value - b.value);
  }

  /** The server for `key` among those `alive` says are up, or undefined when none is reachable. */
  serverFor(key: string, alive: (server: number) => boolean): number | undefined {
    if (this.points.length === 0) return this.names.length > 0 && alive(0) ? 0 : undefined;
    let hash = crc32(key);
    for (let attempt = 0; attempt < failoverTries; attempt++) {
      const server = this.pointAtOrBelow(hash).server;
      if (alive(server)) return server;
      hash = crc32(`${attempt}${key}`);
    }
    return undefined;
  }

  /** dalli's binary search: the last point whose value is <= hash, wrapping to the last point below the first. */
  private pointAtOrBelow(hash: number): Point {
    let lower = 0;
    let upper = this.points.length - 1;
    while (lower <= upper) {
      const middle = (lower + upper) >> 1;
      const value = (this.points[middle] as Point).value;
      if (value === hash) return this.points[middle] as Point;
      if (value > hash) upper = middle - 1;
      else lower = middle + 1;
    }
    // upper is -1 when hash is below every point; Ruby's ary[-1] is then the last point.
    return this.points[upper < 0 ? this.points.length - 1 : upper] as Point;
  }
}
