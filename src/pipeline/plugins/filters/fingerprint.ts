// The fingerprint filter: a hash (SHA*, MD5, optionally HMAC), MurmurHash3, IPv4 network, UUID or punctuation
// fingerprint of source fields, with Logstash's exact text serialization so fingerprints match across the two.

import { createHash, createHmac, randomUUID } from "node:crypto";
import { type Event, ecsEnabled, type FieldValue, Timestamp } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { integerBytes, murmur3x64_128, murmur3x86_32 } from "./fingerprint/murmur3.js";

const methods = [
  "SHA1",
  "SHA256",
  "SHA384",
  "SHA512",
  "MD5",
  "MURMUR3",
  "MURMUR3_128",
  "IPV4_NETWORK",
  "UUID",
  "PUNCTUATION",
] as const;
type Method = (typeof methods)[number];

/** The seed Logstash passes to the 128-bit murmur functions. */
const murmur128Seed = 2;
const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;

export const fingerprintFilter: FilterSpec = {
  kind: "filter",
  name: "fingerprint",
  doc: "Writes a consistent hash (or IP network, UUID, punctuation) of one or more fields into `target`.",
  options: {
    source: { type: "array", default: ["message"], doc: "The fields to fingerprint." },
    target: {
      type: "string",
      doc: "Where the fingerprint goes; default `fingerprint` (ECS off) or `[event][hash]`.",
    },
    key: { type: "password", doc: "HMAC key for the SHA/MD5 methods; the prefix length for IPV4_NETWORK." },
    base64encode: {
      type: "boolean",
      default: false,
      doc: "Base64 instead of hex for digests and MURMUR3_128.",
    },
    method: { type: methods, default: "SHA1", doc: "The fingerprint method." },
    concatenate_sources: {
      type: "boolean",
      default: false,
      doc: "One fingerprint of all sources as `|name|value|...|` instead of one per field.",
    },
    concatenate_all_fields: {
      type: "boolean",
      default: false,
      doc: "One fingerprint of every field of the event (sorted), ignoring `source`.",
    },
  },
  create: (options, context) => new FingerprintFilter(options, context),
};

class FingerprintFilter implements Filter {
  private readonly sources: string[];
  private readonly target: string;
  private readonly method: Method;
  private readonly key: string | undefined;
  private readonly base64: boolean;
  private readonly concatenateSources: boolean;
  private readonly concatenateAll: boolean;
  private readonly prefixLength: number;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.sources = options.stringArray("source");
    this.target =
      options.optionalString("target") ??
      (ecsEnabled(context.ecsCompatibility) ? "[event][hash]" : "fingerprint");
    this.method = options.string("method") as Method;
    this.key = options.optionalString("key");
    this.base64 = options.boolean("base64encode");
    this.concatenateSources = options.boolean("concatenate_sources");
    this.concatenateAll = options.boolean("concatenate_all_fields");
    this.prefixLength = 0;
    if (this.method === "IPV4_NETWORK") {
      if (this.key === undefined)
        throw new Error("Key value is empty. please fill in a subnet prefix length");
      this.prefixLength = Number.parseInt(this.key, 10);
      if (!(this.prefixLength >= 0 && this.prefixLength <= 32))
        throw new Error(`the IPV4_NETWORK key must be a prefix length 0..32, got ${this.key}`);
    }
  }

  filter(event: Event): boolean {
    try {
      if (this.method === "UUID") event.set(this.target, randomUUID());
      else if (this.method === "PUNCTUATION") this.punctuation(event);
      else if (this.concatenateSources || this.concatenateAll)
        event.set(this.target, this.hash(this.concatenated(event)));
      else this.perField(event);
    } catch (err) {
      this.context.logger.warn("fingerprint failed", {
        plugin: this.context.id,
        exception: (err as Error).message,
      });
      this.context.countFailure("fingerprint_failure");
      return false;
    }
    return true;
  }

  private punctuation(event: Event): void {
    for (const field of [...this.sources].sort()) {
      if (!event.includes(field)) continue;
      const value = event.get(field);
      if (typeof value !== "string") throw new Error(`PUNCTUATION needs a string in ${field}`);
      event.set(this.target, value.replace(/[^\p{P}\p{S}]/gu, ""));
    }
  }

  private perField(event: Event): void {
    for (const field of this.sources) {
      if (!event.includes(field)) continue;
      const value = event.get(field) ?? null;
      if (Array.isArray(value))
        event.set(
          this.target,
          value.map((item) => this.hash(canonical(item))),
        );
      else event.set(this.target, this.hash(canonical(value)));
    }
  }

  /** `|name|value|name|value|` over the sorted sources, or over every field of the event. */
  private concatenated(event: Event): string {
    let text = "";
    if (this.concatenateAll) {
      const fields = event.toObject() as Record<string, FieldValue>;
      for (const key of Object.keys(fields).sort())
        text += `|${key}|${canonicalText(canonical(fields[key]!))}`;
    } else {
      for (const key of [...this.sources].sort())
        text += `|${key}|${canonicalText(canonical(event.get(key) ?? null))}`;
    }
    return `${text}|`;
  }

  private hash(value: Canonical): string | number {
    switch (this.method) {
      case "IPV4_NETWORK":
        return ipv4Network(canonicalText(value), this.prefixLength);
      case "MURMUR3":
        return murmur3x86_32(isInteger(value) ? integerBytes(value, 8) : Buffer.from(canonicalText(value)));
      case "MURMUR3_128":
        return this.encode(murmur3x64_128(murmurBytes(value), murmur128Seed));
      default:
        return this.digest(canonicalText(value));
    }
  }

  private digest(text: string): string {
    const algorithm = this.method.toLowerCase();
    const hash = this.key === undefined ? createHash(algorithm) : createHmac(algorithm, this.key);
    return this.encode(hash.update(text, "utf8").digest());
  }

  private encode(bytes: Buffer): string {
    return bytes.toString(this.base64 ? "base64" : "hex");
  }
}

/** A value reduced as Logstash's to_canonical_value does: containers become `|`-joined text, scalars stay. */
type Canonical = string | number | boolean | null | Timestamp;

function canonical(value: FieldValue): Canonical {
  if (Array.isArray(value)) return value.map((item) => canonicalText(canonical(item))).join("|");
  if (value !== null && typeof value === "object" && !(value instanceof Timestamp)) {
    return Object.keys(value)
      .sort()
      .map((key) => `${key}|${canonicalText(canonical(value[key]!))}`)
      .join("|");
  }
  return value;
}

/** Ruby's to_s of a canonical value; a Timestamp prints at least milliseconds, as Logstash 8 refines it. */
function canonicalText(value: Canonical): string {
  if (value === null) return "";
  return String(value);
}

function isInteger(value: Canonical): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

function murmurBytes(value: Canonical): Buffer {
  if (!isInteger(value)) return Buffer.from(canonicalText(value));
  return integerBytes(value, value >= int32Min && value <= int32Max ? 4 : 8);
}

/** IPAddr.new(ip).mask(n).to_s for an IPv4 address. */
function ipv4Network(text: string, prefixLength: number): string {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255))
    throw new Error(`invalid address: ${text}`);
  const address = parts.reduce((acc, part) => acc * 256 + Number(part), 0);
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  const network = (address & mask) >>> 0;
  return [24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join(".");
}
