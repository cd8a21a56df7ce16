// The tld filter: splits a hostname into top-level domain (public suffix), second-level label, the labels before
// it, the registrable domain and the full subdomain, by the Public Suffix List (ICANN and private sections, as
// Ruby's public_suffix gem uses by default), with tldts's copy of the list.

import { parse } from "tldts";
import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";

export const tldFilter: FilterSpec = {
  kind: "filter",
  name: "tld",
  doc: "Splits a hostname into tld, sld, trd, domain and subdomain by the Public Suffix List; other values are left alone.",
  options: {
    source: { type: "string", default: "message", doc: "The field holding the hostname." },
    target: { type: "string", default: "tld", doc: "The field that gets the parts." },
  },
  create: (options, context) => new TldFilter(options, context),
};

/** A hostname's parts, named as Logstash writes them (null where public_suffix has nil). */
export interface HostnameParts {
  tld: string;
  sld: string;
  trd: string | null;
  domain: string;
  subdomain: string | null;
  top_level_domain: string;
}

const tldtsOptions = { extractHostname: false, allowPrivateDomains: true, validateHostname: false } as const;

/**
 * The parts of `value`, or undefined when public_suffix would call it invalid: blank, starting with a dot, a URL,
 * an IP address, a name whose suffix is not in the list, or a bare suffix. Like public_suffix, the name is
 * trimmed, lowercased and loses one trailing dot, and suffixes match in their Unicode form only.
 */
export function hostnameParts(value: unknown): HostnameParts | undefined {
  if (typeof value !== "string") return undefined;
  let name = value.trim().toLowerCase();
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name === "" || name.startsWith(".") || name.includes("://")) return undefined;
  const parsed = parse(name, tldtsOptions);
  const suffix = parsed.publicSuffix;
  if (parsed.isIp || suffix === null || !(parsed.isIcann || parsed.isPrivate)) return undefined;
  // The list public_suffix reads is written in Unicode; a punycode suffix (xn--...) matches no rule there.
  if (suffix.split(".").some((label) => label.startsWith("xn--"))) return undefined;
  if (!name.endsWith(`.${suffix}`)) return undefined;
  const labels = name.slice(0, -(suffix.length + 1)).split(".");
  const sld = labels.pop()!;
  if (sld === "") return undefined;
  const trd = labels.length > 0 ? labels.join(".") : null;
  const domain = `${sld}.${suffix}`;
  return {
    tld: suffix,
    sld,
    trd,
    domain,
    subdomain: trd === null ? null : `${trd}.${domain}`,
    top_level_domain: suffix,
  };
}

class TldFilter implements Filter {
  private readonly source: string;
  private readonly target: string;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.source = options.string("source");
    this.target = options.string("target");
  }

  /** Matched only when the source holds a hostname with a listed suffix; anything else passes untouched. */
  filter(event: Event): boolean {
    const parts = hostnameParts(event.get(this.source));
    if (parts === undefined) return false;
    try {
      event.set(this.target, parts);
    } catch (err) {
      this.context.countFailure("target_not_settable");
      this.context.logger.warn(`tld: cannot set ${this.target}`, { plugin: this.context.id, error: err });
      return false;
    }
    return true;
  }
}
