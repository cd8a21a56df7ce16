// The cidr filter: matches (for add_tag/add_field) when one of the event's addresses lies in one of the
// networks, given inline (sprintf, comma lists) or in a file re-read every refresh_interval.

import { readFileSync } from "node:fs";
import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { type IpAddress, type IpNetwork, networkIncludes, parseAddress, parseNetwork } from "./cidr/ip.js";

export const cidrFilter: FilterSpec = {
  kind: "filter",
  name: "cidr",
  doc: "Matches when an IP address of the event is inside one of the given networks (IPv4 and IPv6).",
  options: {
    address: { type: "array", default: [], doc: "Addresses to check (sprintf), e.g. `%{clientip}`." },
    address_field: { type: "field_reference", doc: "A field holding the address or an array of addresses." },
    network: {
      type: "array",
      default: [],
      doc: "Networks (sprintf, comma-separated allowed), e.g. `10.0.0.0/8`.",
    },
    network_path: { type: "path", doc: "A file listing networks, one per `separator`." },
    refresh_interval: { type: "number", default: 600, doc: "Seconds between re-reads of network_path." },
    separator: { type: "string", default: "\n", doc: "What separates the networks in network_path." },
  },
  create: (options, context) => new CidrFilter(options, context),
};

class CidrFilter implements Filter {
  private readonly addresses: string[];
  private readonly addressField: string | undefined;
  private readonly networks: string[];
  private readonly path: string | undefined;
  private readonly refreshMs: number;
  private readonly separator: string;
  private fileNetworks: IpNetwork[] = [];
  private nextRefresh = 0;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.addresses = options.stringArray("address");
    this.addressField = options.optionalString("address_field");
    this.networks = options.stringArray("network");
    this.path = options.optionalString("network_path");
    this.refreshMs = options.number("refresh_interval") * 1000;
    this.separator = options.string("separator").replace(/\\n/g, "\n");
    if (this.path !== undefined && this.networks.length > 0)
      throw new Error("The configuration options 'network' and 'network_path' are mutually exclusive");
    if (this.addressField !== undefined && this.addresses.length > 0)
      throw new Error("The configuration options 'address' and 'address_field' are mutually exclusive");
    if (this.path !== undefined) this.loadFile(true);
  }

  filter(event: Event): boolean {
    const addresses = this.eventAddresses(event);
    const networks = this.path === undefined ? this.inlineNetworks(event) : this.currentFileNetworks();
    return addresses.some((address) => networks.some((network) => networkIncludes(network, address)));
  }

  private eventAddresses(event: Event): IpAddress[] {
    const texts =
      this.addressField === undefined
        ? this.addresses.map((template) => event.sprintf(template))
        : toArray(event.get(this.addressField)).map(String);
    const parsed: IpAddress[] = [];
    for (const text of texts) {
      const address = parseAddress(text);
      if (address === undefined)
        this.context.logger.warn("Invalid IP address, skipping", { plugin: this.context.id, address: text });
      else parsed.push(address);
    }
    return parsed;
  }

  private inlineNetworks(event: Event): IpNetwork[] {
    const texts = this.networks.flatMap((template) => event.sprintf(template).split(","));
    return this.parseNetworks(texts.map((text) => text.trim()));
  }

  private parseNetworks(texts: string[]): IpNetwork[] {
    const parsed: IpNetwork[] = [];
    for (const text of texts) {
      const network = parseNetwork(text);
      if (network === undefined)
        this.context.logger.warn("Invalid IP network, skipping", { plugin: this.context.id, network: text });
      else parsed.push(network);
    }
    return parsed;
  }

  private currentFileNetworks(): IpNetwork[] {
    if (Date.now() >= this.nextRefresh) this.loadFile(false);
    return this.fileNetworks;
  }

  private loadFile(atRegister: boolean): void {
    this.nextRefresh = Date.now() + this.refreshMs;
    let texts: string[];
    try {
      texts = readFileSync(this.path!, "utf8")
        .split(this.separator)
        .filter((text) => text !== "");
    } catch (err) {
      const message = `The file containing the network list is invalid, please check the separator character or permissions for the file. (${(err as Error).message})`;
      if (atRegister) throw new Error(message);
      this.context.logger.error("Error while opening/parsing the file", {
        plugin: this.context.id,
        path: this.path,
      });
      this.context.countFailure("network_file_failure");
      return;
    }
    if (texts.length > 0) this.fileNetworks = this.parseNetworks(texts);
  }
}

function toArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
