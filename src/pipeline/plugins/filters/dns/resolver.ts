// Name and address lookups for the dns filter: hosts files first, then a DNS server (the given nameservers with
// search domains and ndots, or the system's), each query bounded by a timeout; a timeout is reported as such.

import { promises as dns } from "node:dns";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { domainToASCII, domainToUnicode } from "node:url";

export class LookupTimeout extends Error {}

export interface NameserverSettings {
  addresses: string[];
  search: string[];
  ndots: number;
}

/** Lines of a hosts file as name → first address and address → first name (Resolv::Hosts order). */
export class HostsTable {
  readonly byName = new Map<string, string>();
  readonly byAddress = new Map<string, string>();

  static read(path: string): HostsTable {
    const table = new HostsTable();
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return table;
    }
    for (const line of text.split("\n")) {
      const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
      if (address === undefined || address === "" || isIP(address) === 0) continue;
      for (const name of names) {
        const key = name.toLowerCase();
        if (!table.byName.has(key)) table.byName.set(key, address);
      }
      if (names[0] !== undefined && !table.byAddress.has(address)) table.byAddress.set(address, names[0]);
    }
    return table;
  }
}

export class DnsResolver {
  private readonly resolver: dns.Resolver | undefined;
  /**
   * Why the nameservers cannot be used (e.g. a placeholder that is no address). Ruby's Resolv only finds out at
   * the first query, so Logstash starts anyway and every DNS lookup fails; we do the same.
   */
  readonly configError: string | undefined;

  constructor(
    private readonly hosts: HostsTable[],
    nameserver: NameserverSettings | "system" | undefined,
    private readonly timeoutMs: number,
    private readonly search: string[] = [],
    private readonly ndots = 1,
  ) {
    if (nameserver === undefined) return;
    this.resolver = new dns.Resolver({ timeout: Math.max(1, Math.round(timeoutMs)), tries: 1 });
    if (nameserver !== "system") {
      try {
        this.resolver.setServers(nameserver.addresses);
      } catch (err) {
        this.configError = `unusable nameserver ${JSON.stringify(nameserver.addresses)}: ${(err as Error).message}`;
      }
      this.search = nameserver.search;
      this.ndots = nameserver.ndots;
    }
  }

  /** The first address of `name` (A before AAAA), or undefined. Throws LookupTimeout. */
  async address(name: string): Promise<string | undefined> {
    const ascii = domainToASCII(name) || name;
    for (const table of this.hosts) {
      const found = table.byName.get(ascii.toLowerCase());
      if (found !== undefined) return found;
    }
    if (this.resolver === undefined) return undefined;
    if (this.configError !== undefined) throw new Error(this.configError);
    for (const candidate of this.candidates(ascii)) {
      const found =
        (await this.query(() => this.resolver!.resolve4(candidate))) ??
        (await this.query(() => this.resolver!.resolve6(candidate)));
      if (found !== undefined && found.length > 0) return found[0];
    }
    return undefined;
  }

  /** The first name of `address`, or undefined. Throws LookupTimeout. */
  async name(address: string): Promise<string | undefined> {
    for (const table of this.hosts) {
      const found = table.byAddress.get(address);
      if (found !== undefined) return found;
    }
    if (this.resolver === undefined) return undefined;
    if (this.configError !== undefined) throw new Error(this.configError);
    // resolvePtr, not reverse(): c-ares' reverse() reports a timeout as "not found".
    const names = await this.query(() => this.resolver!.resolvePtr(arpaName(address)));
    const first = names?.[0];
    return first === undefined ? undefined : domainToUnicode(first) || first;
  }

  /** Search-list expansion as resolv.conf's ndots rule: relative names with few dots try the domains first. */
  private candidates(name: string): string[] {
    if (name.endsWith(".")) return [name.slice(0, -1)];
    const dots = name.split(".").length - 1;
    const expanded = this.search.map((domain) => `${name}.${domain}`);
    return dots >= this.ndots ? [name, ...expanded] : [...expanded, name];
  }

  private async query<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === dns.TIMEOUT) throw new LookupTimeout(`DNS query timed out after ${this.timeoutMs} ms`);
      if (code === dns.NOTFOUND || code === dns.NODATA || code === dns.NONAME) return undefined;
      throw err;
    }
  }

  cancel(): void {
    this.resolver?.cancel();
  }
}

/** The in-addr.arpa / ip6.arpa name of an address. */
export function arpaName(address: string): string {
  if (isIP(address) === 4) return `${address.split(".").reverse().join(".")}.in-addr.arpa`;
  return `${expandIpv6(address).split("").reverse().join(".")}.ip6.arpa`;
}

/** An IPv6 address as its 32 hex digits. */
function expandIpv6(address: string): string {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const bytes = v4[1]!.split(".").map(Number);
    const tail = `${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`;
    text = text.slice(0, v4.index) + tail;
  }
  const [head = "", rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const fill = rest === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((group) => group.padStart(4, "0")).join("");
}
