// The dns filter: resolves host names to addresses (`resolve`) and addresses to names (`reverse`) in place,
// appending or replacing, with hit/failure caches, retries and a tag on timeout. Lookups are asynchronous.

import { isIP } from "node:net";
import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { OptionHash, OptionValue, ResolvedOptions } from "../options.js";
import { TtlLruCache } from "./dns/cache.js";
import { DnsResolver, HostsTable, LookupTimeout, type NameserverSettings } from "./dns/resolver.js";

const systemHostsFile = "/etc/hosts";
const searchDomainsMax = 6;

export const dnsFilter: FilterSpec = {
  kind: "filter",
  name: "dns",
  doc: "Replaces or appends to fields holding host names (resolve) or IP addresses (reverse) with their lookup.",
  options: {
    reverse: { type: "array", doc: "Fields holding an IP address to look the name of." },
    resolve: { type: "array", doc: "Fields holding a host name to look the address of." },
    action: {
      type: ["append", "replace"],
      default: "append",
      doc: "Append the result to the field, or replace it.",
    },
    nameserver: {
      type: "any",
      doc: "DNS servers: an array of addresses, or a hash with `address`, `search` (up to 6) and `ndots`.",
    },
    timeout: { type: "number", default: 0.5, doc: "Seconds to wait for one DNS answer." },
    max_retries: { type: "number", default: 2, doc: "Retries after a timeout." },
    hit_cache_size: { type: "number", default: 0, doc: "Successful lookups remembered; 0 disables." },
    hit_cache_ttl: { type: "number", default: 60, doc: "Seconds a successful lookup is remembered." },
    failed_cache_size: {
      type: "number",
      default: 0,
      doc: "Failed lookups remembered (and skipped); 0 disables.",
    },
    failed_cache_ttl: { type: "number", default: 5, doc: "Seconds a failed lookup is remembered." },
    hostsfile: { type: "array", doc: "Hosts files consulted before DNS." },
    tag_on_timeout: {
      type: "string",
      list: true,
      default: ["_dnstimeout"],
      doc: "Tags added on a lookup timeout.",
    },
  },
  create: (options, context) => new DnsFilter(options, context),
};

type Lookup = (resolver: DnsResolver, key: string) => Promise<string | undefined>;

class DnsFilter implements Filter {
  private readonly resolveFields: string[];
  private readonly reverseFields: string[];
  private readonly replace: boolean;
  private readonly maxRetries: number;
  private readonly timeoutTags: string[];
  private readonly resolver: DnsResolver;
  private readonly hits: TtlLruCache<string> | undefined;
  private readonly failed: TtlLruCache<true> | undefined;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.resolveFields = options.stringArray("resolve");
    this.reverseFields = options.stringArray("reverse");
    this.replace = options.string("action") === "replace";
    this.maxRetries = options.number("max_retries");
    this.timeoutTags = options.stringArray("tag_on_timeout");
    const timeoutMs = options.number("timeout") * 1000;
    const nameserver = options.raw("nameserver");
    const hostsfiles = options.stringArray("hostsfile");
    if (nameserver === undefined && hostsfiles.length === 0) {
      this.resolver = new DnsResolver([HostsTable.read(systemHostsFile)], "system", timeoutMs);
    } else {
      const hosts = [...hostsfiles.map((path) => HostsTable.read(path)), HostsTable.read(systemHostsFile)];
      const servers = nameserver === undefined ? undefined : normalisedNameserver(nameserver);
      this.resolver = new DnsResolver(hosts, servers, timeoutMs);
    }
    if (this.resolver.configError !== undefined)
      context.logger.error(`DNS: ${this.resolver.configError}; lookups will fail`, { plugin: context.id });
    const hitSize = options.number("hit_cache_size");
    const failedSize = options.number("failed_cache_size");
    if (hitSize > 0) this.hits = new TtlLruCache(hitSize, options.number("hit_cache_ttl") * 1000);
    if (failedSize > 0) this.failed = new TtlLruCache(failedSize, options.number("failed_cache_ttl") * 1000);
  }

  async filter(event: Event): Promise<boolean> {
    const byName: Lookup = (resolver, name) => resolver.address(name);
    const byAddress: Lookup = (resolver, address) => resolver.name(address);
    if (!(await this.lookupFields(event, this.resolveFields, byName, "resolve"))) return false;
    return this.lookupFields(event, this.reverseFields, byAddress, "reverse");
  }

  close(): void {
    this.resolver.cancel();
  }

  /** False when a field stopped the filter (Logstash returns early: the event is not "matched"). */
  private async lookupFields(event: Event, fields: string[], lookup: Lookup, verb: string): Promise<boolean> {
    for (const field of fields) {
      const raw = event.get(field);
      if (raw === undefined || raw === null) {
        this.context.logger.warn(`DNS filter could not ${verb} missing field`, {
          plugin: this.context.id,
          field,
        });
        continue;
      }
      const isArray = Array.isArray(raw);
      if (isArray && raw.length > 1) {
        this.context.logger.warn(`DNS: skipping ${verb}, can't deal with multiple values`, {
          plugin: this.context.id,
          field,
        });
        return false;
      }
      const value = isArray ? raw[0] : raw;
      if (typeof value !== "string") {
        this.context.logger.warn(`DNS: skipping ${verb}, can't deal with non-string values`, {
          plugin: this.context.id,
          field,
        });
        return false;
      }
      if (verb === "reverse" && isIP(value) === 0) return false;
      const found = await this.cachedLookup(event, field, value, lookup);
      if (found === undefined) return false;
      this.store(event, field, isArray, found);
    }
    return true;
  }

  private async cachedLookup(
    event: Event,
    field: string,
    key: string,
    lookup: Lookup,
  ): Promise<string | undefined> {
    if (this.failed?.get(key) !== undefined) return undefined;
    const cached = this.hits?.get(key);
    if (cached !== undefined) return cached;
    try {
      const found = await this.withRetries(() => lookup(this.resolver, key));
      if (found === undefined) {
        this.failed?.set(key, true);
        this.context.logger.debug("DNS: couldn't resolve", { plugin: this.context.id, field, value: key });
        return undefined;
      }
      this.hits?.set(key, found);
      return found;
    } catch (err) {
      if (err instanceof LookupTimeout) {
        this.failed?.set(key, true);
        for (const tag of this.timeoutTags) event.tag(tag);
        this.context.countFailure("dns_timeout");
      } else {
        this.context.logger.error("DNS: Unexpected Error.", {
          plugin: this.context.id,
          field,
          value: key,
          message: (err as Error).message,
        });
        this.context.countFailure("dns_error");
      }
      return undefined;
    }
  }

  private async withRetries(run: () => Promise<string | undefined>): Promise<string | undefined> {
    for (let tries = 0; ; tries++) {
      try {
        return await run();
      } catch (err) {
        if (!(err instanceof LookupTimeout) || tries >= this.maxRetries) throw err;
      }
    }
  }

  private store(event: Event, field: string, isArray: boolean, found: string): void {
    if (this.replace) event.set(field, isArray ? [found] : found);
    else if (isArray) event.set(field, [...(event.get(field) as unknown[]), found]);
    else event.set(field, [event.get(field), found]);
  }
}

/** `nameserver` as an address list or a hash with address/search/ndots, checked as Logstash checks it. */
function normalisedNameserver(value: OptionValue): NameserverSettings {
  const given: OptionHash =
    typeof value === "object" && !Array.isArray(value) ? { ...value } : { address: value };
  const shown = JSON.stringify(value);
  const address = given.address;
  delete given.address;
  if (address === undefined)
    throw new Error(`DNS Filter: \`nameserver\` hash must include \`address\` (got \`${shown}\`)`);
  const addresses = (Array.isArray(address) ? address : [address]).map(String);
  if (addresses.length === 0)
    throw new Error(
      `DNS Filter: \`nameserver\` addresses, when specified, cannot be empty (got \`${shown}\`)`,
    );
  const search =
    given.search === undefined
      ? []
      : (Array.isArray(given.search) ? given.search : [given.search]).map(String);
  delete given.search;
  if (search.length > searchDomainsMax)
    throw new Error(
      `DNS Filter: A maximum of ${searchDomainsMax} \`search\` domains are accepted (got \`${shown}\`)`,
    );
  const ndots = given.ndots === undefined ? 1 : Number(given.ndots);
  delete given.ndots;
  if (!Number.isInteger(ndots) || ndots <= 0)
    throw new Error(`DNS Filter: \`ndots\` must be positive (got \`${shown}\`)`);
  if (Object.keys(given).length > 0)
    throw new Error(`Unknown \`nameserver\` argument(s): ${JSON.stringify(given)}`);
  return { addresses, search, ndots };
}
