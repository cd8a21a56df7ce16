// The memcached filter: per event, stores fields in memcached (`set`) and copies cached values into fields
// (`get`), keys sprintf'd; a lost server tags the event and the filter reconnects on the next event.

import { limits } from "../../../common/limits.js";
import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { MemcachedClient, MemcachedNetworkError } from "./memcached/client.js";

export const memcachedFilter: FilterSpec = {
  kind: "filter",
  name: "memcached",
  doc: "Looks up event fields in memcached (get) and stores fields there (set), with keys built from the event.",
  options: {
    hosts: {
      type: "array",
      default: ["localhost"],
      doc: 'memcached servers as "host" or "host:port" (port 11211 when not given; IPv6 as "[::1]:11211").',
    },
    namespace: { type: "string", doc: 'Prefix of every key, followed by ":" (none when empty).' },
    get: { type: "hash", doc: "memcached key (sprintf) => event field to copy the cached value into." },
    set: { type: "hash", doc: "event field => memcached key (sprintf) to store the field's value under." },
    ttl: { type: "number", default: 0, doc: "Seconds a value set lives in memcached; 0 never expires." },
    tag_on_failure: {
      type: "string",
      default: "_memcached_failure",
      doc: "Tag added when memcached cannot be reached or answers with an error.",
    },
  },
  create: (options, context) => new MemcachedFilter(options, context),
};

export class MemcachedFilter implements Filter {
  private readonly getMap: Record<string, string>;
  private readonly setMap: Record<string, string>;
  private readonly failureTag: string;
  private readonly client: MemcachedClient;
  private connected = false;
  /** One reconnect attempt at a time, shared by the events that arrive during it. */
  private reconnecting: Promise<boolean> | undefined;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    const ttl = options.number("ttl");
    if (ttl < 0) throw new Error("'ttl' option cannot be negative");
    const hosts = options.stringArray("hosts");
    if (hosts.length === 0) throw new Error("'hosts' cannot be empty");
    this.getMap = stringHash(options, "get");
    this.setMap = stringHash(options, "set");
    this.failureTag = options.string("tag_on_failure");
    this.client = new MemcachedClient({
      hosts,
      namespace: options.optionalString("namespace"),
      ttl,
      timeoutMs: limits.memcachedRequestMillisMax,
    });
  }

  /** Logstash refuses to start when no memcached server answers. */
  async register(): Promise<void> {
    try {
      await this.client.connect();
    } catch (err) {
      this.client.close();
      throw new Error(`failed to connect to memcached: ${(err as Error).message}`);
    }
    this.connected = true;
  }

  async filter(event: Event): Promise<boolean> {
    if (!(await this.connectionAvailable())) {
      event.tag(this.failureTag);
      this.context.countFailure("memcached_unavailable");
      return false;
    }
    try {
      const stored = await this.doSet(event);
      const found = await this.doGet(event);
      return stored || found;
    } catch (err) {
      return this.fail(event, err as Error);
    }
  }

  close(): void {
    this.connected = false;
    this.client.close();
  }

  private async doGet(event: Event): Promise<boolean> {
    const fieldsByKey = new Map<string, string>();
    for (const [template, field] of Object.entries(this.getMap))
      fieldsByKey.set(event.sprintf(template), field);
    if (fieldsByKey.size === 0) return false;
    const values = await this.client.getMulti([...fieldsByKey.keys()]);
    let hits = 0;
    for (const [key, field] of fieldsByKey) {
      const value = values.get(key);
      if (value === undefined || value === null) continue;
      event.set(field, value);
      hits++;
    }
    return hits > 0;
  }

  private async doSet(event: Event): Promise<boolean> {
    const valuesByKey = new Map<string, unknown>();
    for (const [field, template] of Object.entries(this.setMap)) {
      const value = event.get(field);
      if (value !== undefined && value !== null) valuesByKey.set(event.sprintf(template), value);
    }
    if (valuesByKey.size === 0) return false;
    await Promise.all([...valuesByKey].map(([key, value]) => this.client.set(key, value)));
    return true;
  }

  private fail(event: Event, err: Error): false {
    event.tag(this.failureTag);
    const network = err instanceof MemcachedNetworkError;
    this.context.logger.error(network ? "memcached communication error" : "unexpected error", {
      plugin: this.context.id,
      message: err.message,
    });
    this.context.countFailure(network ? "memcached_communication_error" : "memcached_error");
    // As Logstash: a network error drops the connection; the next event reconnects.
    if (network) this.close();
    return false;
  }

  private async connectionAvailable(): Promise<boolean> {
    if (this.connected) return true;
    this.reconnecting ??= this.reconnect().finally(() => {
      this.reconnecting = undefined;
    });
    return this.reconnecting;
  }

  private async reconnect(): Promise<boolean> {
    try {
      await this.client.connect();
      this.connected = true;
    } catch (err) {
      this.context.logger.error("failed to reconnect to memcached", {
        plugin: this.context.id,
        message: (err as Error).message,
      });
    }
    return this.connected;
  }
}

function stringHash(options: ResolvedOptions, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.hash(name))) {
    if (typeof value !== "string")
      throw new Error(`'${name}' maps to text only; ${key} => ${JSON.stringify(value)}`);
    out[key] = value;
  }
  return out;
}
