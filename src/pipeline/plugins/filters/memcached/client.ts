// A memcached client shaped like dalli as Logstash's memcached filter uses it: "host[:port]" servers on a
// consistent-hash ring, an optional "namespace:" key prefix, long keys shortened with an MD5 digest, values
// stored as Ruby Marshal (flag 1) and read back as Marshal, zlib-compressed (flag 2) or raw text.

import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
import { MemcachedConnection, MemcachedNetworkError, type StoredValue } from "./connection.js";
import { dumpMarshal, loadMarshal, type MarshalValue } from "./marshal.js";
import { HashRing } from "./ring.js";

export { MemcachedNetworkError, MemcachedServerError } from "./connection.js";

const defaultPort = 11211;
const keyBytesMax = 250;
const flagSerialized = 0x1;
const flagCompressed = 0x2;
/** memcached reads an expiry above 30 days as a Unix time. */
const relativeTtlSecondsMax = 30 * 24 * 3600;

export interface MemcachedClientOptions {
  hosts: readonly string[];
  namespace?: string | undefined;
  /** Seconds; 0 never expires. */
  ttl: number;
  timeoutMs: number;
}

/** A key memcached's text protocol cannot carry (empty, or with spaces or control characters). */
export class MemcachedKeyError extends Error {
  override name = "MemcachedKeyError";
}

export class MemcachedClient {
  private readonly servers: MemcachedConnection[];
  private readonly ring: HashRing;
  private readonly down = new Set<number>();

  constructor(private readonly options: MemcachedClientOptions) {
    const addresses = options.hosts.map(parseHost);
    this.servers = addresses.map(({ host, port }) => new MemcachedConnection(host, port, options.timeoutMs));
    this.ring = new HashRing(addresses.map(({ host, port }) => `${host}:${port}`));
  }

  /** Asks every server for its version; resolves when at least one answers (dalli's `alive!`). */
  async connect(): Promise<void> {
    const answers = await Promise.allSettled(this.servers.map((server) => server.version()));
    this.down.clear();
    answers.forEach((answer, index) => {
      if (answer.status === "rejected") this.down.add(index);
    });
    if (this.down.size === this.servers.length) {
      const reason = answers.find((a) => a.status === "rejected") as PromiseRejectedResult;
      throw new MemcachedNetworkError(`No server available: ${(reason.reason as Error).message}`);
    }
  }

  /** Values by the caller's key; keys without a value are absent. */
  async getMulti(keys: readonly string[]): Promise<Map<string, MarshalValue>> {
    const byServer = new Map<number, Map<string, string>>();
    for (const key of keys) {
      const stored = this.storedKey(key);
      const server = this.serverFor(stored);
      const group = byServer.get(server) ?? new Map<string, string>();
      group.set(stored, key);
      byServer.set(server, group);
    }
    const found = new Map<string, MarshalValue>();
    await Promise.all(
      [...byServer].map(async ([server, group]) => {
        const values = await this.call(server, (c) => c.get([...group.keys()]));
        for (const [stored, value] of values) {
          const key = group.get(stored);
          if (key !== undefined) found.set(key, decodeValue(value));
        }
      }),
    );
    return found;
  }

  async set(key: string, value: unknown): Promise<void> {
    const stored = this.storedKey(key);
    const server = this.serverFor(stored);
    const data = { flags: flagSerialized, data: dumpMarshal(value) };
    await this.call(server, (c) => c.set(stored, data, expiry(this.options.ttl)));
  }

  close(): void {
    for (const server of this.servers) server.close();
  }

  /** A network failure marks the server down until the next `connect()`. */
  private async call<T>(server: number, request: (c: MemcachedConnection) => Promise<T>): Promise<T> {
    try {
      return await request(this.servers[server] as MemcachedConnection);
    } catch (err) {
      if (err instanceof MemcachedNetworkError) this.down.add(server);
      throw err;
    }
  }

  private serverFor(storedKey: string): number {
    const server = this.ring.serverFor(storedKey, (index) => !this.down.has(index));
    if (server === undefined) throw new MemcachedNetworkError("No server available");
    return server;
  }

  /** dalli's key rules: "namespace:key", and keys over 250 bytes cut short and suffixed with their MD5. */
  private storedKey(key: string): string {
    if (key.length === 0) throw new MemcachedKeyError("key cannot be blank");
    const namespace = this.options.namespace;
    const full = namespace === undefined || namespace === "" ? key : `${namespace}:${key}`;
    if (/[\s\x00-\x1f\x7f]/.test(full))
      throw new MemcachedKeyError(`key ${JSON.stringify(full)} has spaces or control characters`);
    if (Buffer.byteLength(full) <= keyBytesMax) return full;
    const digest = createHash("md5").update(full).digest("hex");
    const keep = (namespace === undefined || namespace === "" ? 249 : 250) - (":md5:".length + digest.length);
    return `${full.slice(0, keep)}:md5:${digest}`;
  }
}

function decodeValue(value: StoredValue): MarshalValue {
  const data = value.flags & flagCompressed ? inflateSync(value.data) : value.data;
  return value.flags & flagSerialized ? loadMarshal(data) : data.toString("utf8");
}

/** dalli's ttl rule: past 30 days a relative ttl is turned into a Unix time, unless it already is one. */
function expiry(ttl: number): number {
  const seconds = Math.floor(ttl);
  if (seconds <= relativeTtlSecondsMax) return seconds;
  const now = Math.floor(Date.now() / 1000);
  return seconds < now ? now + seconds : seconds;
}

/** "host", "host:port", "[v6]:port" or a bare IPv6 address. */
export function parseHost(spec: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracketed !== null)
    return { host: bracketed[1] as string, port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  const colons = spec.split(":").length - 1;
  if (colons > 1) return { host: spec, port: defaultPort };
  const [host, port] = spec.split(":");
  if (host === undefined || host === "")
    throw new Error(`memcached host ${JSON.stringify(spec)} has no name`);
  if (port === undefined) return { host, port: defaultPort };
  const number = Number(port);
  if (!Number.isInteger(number) || number < 1 || number > 65535)
    throw new Error(`memcached host ${JSON.stringify(spec)} has a bad port`);
  return { host, port: number };
}
