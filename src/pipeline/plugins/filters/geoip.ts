// The geoip filter: looks an IP address up in a MaxMind database (City, Country, ASN, ISP, Domain,
// Anonymous-IP) given by `database` and writes location/network fields under `target`, ECS or legacy names.

import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { Reader } from "maxmind";
import { type Event, ecsEnabled } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { type DatabaseKind, databaseKind, defaultFields, extractFields, fieldNames } from "./geoip/fields.js";

export const geoipExpiredTag = "_geoip_expired_database";
const ecsTargets = ["client", "destination", "host", "observer", "server", "source"];

export const geoipFilter: FilterSpec = {
  kind: "filter",
  name: "geoip",
  doc: "Adds geographical or network information about an IP address from a MaxMind GeoIP2/GeoLite2 database.",
  options: {
    database: {
      type: "path",
      doc: "The MaxMind .mmdb file. Sluice ships no database: without it events are tagged _geoip_expired_database.",
    },
    default_database_type: {
      type: ["City", "ASN"],
      default: "City",
      doc: "Which bundled database to use (none here).",
    },
    source: { type: "string", required: true, doc: "The field holding the IP address." },
    fields: {
      type: "array",
      doc: "The fields to write (e.g. city_name, location); the database's defaults otherwise.",
    },
    target: {
      type: "string",
      doc: "Where the fields go; `geoip` (ECS off) or derived from `[x][ip]` sources (ECS on).",
    },
    cache_size: { type: "number", default: 1000, doc: "Lookups remembered." },
    tag_on_failure: {
      type: "array",
      default: ["_geoip_lookup_failure"],
      doc: "Tags added when the lookup fails.",
    },
  },
  create: (options, context) => new GeoipFilter(options, context),
};

class GeoipFilter implements Filter {
  private readonly source: string;
  private readonly target: string;
  private readonly failureTags: string[];
  private readonly reader: Reader<Record<string, unknown>> | undefined;
  private readonly kind: DatabaseKind = "unknown";
  private readonly wanted: Set<string> = new Set();
  private readonly ecs: boolean;
  private readonly cache = new Map<string, Record<string, unknown> | null>();
  private readonly cacheSize: number;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.source = options.string("source");
    this.failureTags = options.stringArray("tag_on_failure");
    this.cacheSize = options.number("cache_size");
    this.ecs = ecsEnabled(context.ecsCompatibility);
    this.target = this.targetOf(options.optionalString("target"));
    const path = options.optionalString("database");
    if (path === undefined) {
      context.logger.warn(
        "geoip: no `database` given and none is bundled; every event will be tagged _geoip_expired_database",
        { plugin: context.id },
      );
      return;
    }
    this.reader = openDatabase(path);
    this.kind = databaseKind(this.reader.metadata.databaseType);
    if (this.kind === "unknown")
      context.logger.warn(
        `The provided database type ${this.reader.metadata.databaseType} is not supported`,
        {
          plugin: context.id,
        },
      );
    const fields = options.stringArray("fields").map((name) => name.toUpperCase());
    for (const name of fields)
      if (fieldNames[name] === undefined)
        throw new Error(
          `illegal field value ${name.toLowerCase()}. valid values are ${Object.keys(fieldNames).join(", ")}`,
        );
    this.wanted = new Set(fields.length > 0 ? fields : defaultFields(this.kind, this.ecs));
  }

  filter(event: Event): boolean {
    const input = event.get(this.source);
    if (input === undefined || input === null) return false;
    if (this.reader === undefined) {
      event.tag(geoipExpiredTag);
      return false;
    }
    const ip = Array.isArray(input) ? input[0] : input;
    if (typeof ip !== "string") {
      this.context.logger.warn("Expected input field value to be String or List type", {
        plugin: this.context.id,
      });
      this.fail(event);
      return false;
    }
    if (ip.trim() === "") return false;
    const data = this.lookup(ip.trim());
    if (event.get(this.target) === undefined || event.get(this.target) === null) event.set(this.target, {});
    if (data.size === 0) {
      this.fail(event);
      return false;
    }
    for (const [name, value] of data) {
      const [ecsPath, legacyPath] = fieldNames[name]!;
      const path = this.ecs ? ecsPath : legacyPath;
      if (path !== "") event.set(`[${this.target}]${path}`, value);
    }
    return true;
  }

  private lookup(ip: string): Map<string, unknown> {
    if (isIP(ip) === 0) return new Map();
    let record = this.cache.get(ip);
    if (record === undefined) {
      try {
        record = this.reader!.get(ip);
      } catch (err) {
        this.context.logger.error("Error from GeoIP database", {
          plugin: this.context.id,
          value: ip,
          exception: (err as Error).message,
        });
        record = null;
      }
      this.cache.set(ip, record);
      if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    }
    return record === null ? new Map() : extractFields(this.kind, record, canonicalIp(ip), this.wanted);
  }

  private fail(event: Event): void {
    for (const tag of this.failureTags) event.tag(tag);
    this.context.countFailure("geoip_lookup_failure");
  }

  private targetOf(given: string | undefined): string {
    const stripped = (text: string) => text.replace(/^\[([^[\]]+)\]$/, "$1");
    if (!this.ecs) return stripped(given ?? "geoip");
    let target = given;
    if (target === undefined) {
      if (!this.source.endsWith("[ip]") || this.source.length <= 4)
        throw new Error(
          "GeoIP Filter in ECS-Compatiblity mode requires a `target` when `source` is not an `ip` sub-field, eg. [client][ip]",
        );
      target = this.source.slice(0, -4);
    }
    const normalized = stripped(target);
    if (!ecsTargets.includes(normalized))
      this.context.logger.warn(`ECS expect \`target\` value \`${normalized}\` in ${ecsTargets.join(",")}`, {
        plugin: this.context.id,
      });
    return normalized;
  }
}

function openDatabase(path: string): Reader<Record<string, unknown>> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Error(`The database provided was not found in the path: ${path}`);
  }
  try {
    return new Reader(bytes);
  } catch (err) {
    throw new Error(`The database provided is invalid or corrupted: ${path} (${(err as Error).message})`);
  }
}

/** The address as Java's getHostAddress prints it (IPv6 in full, uncompressed groups). */
function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const url = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  return expandIpv6(url);
}

function expandIpv6(text: string): string {
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.map((g) => Number.parseInt(g, 16).toString(16)).join(":");
}
