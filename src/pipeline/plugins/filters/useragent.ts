// The useragent filter: parses a User-Agent header into browser, version, OS and device fields, ECS
// (`[user_agent]...`) or legacy (`name`, `os_name`, `major`, ...), with uap-core's naming where it differs.
// Parsing is done by ua-parser-js 1.x (MIT; 2.x is AGPL) plus our own crawler rule, results kept in an LRU cache.

import UAParser, { type IResult } from "ua-parser-js";
import { type Event, ecsEnabled } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";

export const useragentFilter: FilterSpec = {
  kind: "filter",
  name: "useragent",
  doc: "Parses a user agent string into browser name and version, operating system and device.",
  options: {
    source: { type: "string", required: true, doc: "The field holding the user agent string." },
    target: {
      type: "string",
      doc: "Where the fields go; the event root (ECS off) or `[user_agent]` (ECS on).",
    },
    regexes: {
      type: "string",
      doc: "A uap-core regexes.yaml to use instead of the built-in parser (ignored here).",
    },
    prefix: { type: "string", default: "", doc: "A prefix for the legacy field names (ECS off only)." },
    lru_cache_size: { type: "number", default: 100_000, doc: "User agents whose parse is remembered." },
  },
  create: (options, context) => new UseragentFilter(options, context),
};

/**
 * Crawlers and fetchers, which uap-core names by their own token and puts on the "Spider" device (ua-parser-js 1.x
 * does not know them): a product token ending in bot, spider or crawler, or a few well-known others.
 */
const crawlerPattern =
  /\b([A-Za-z][\w.-]*?(?:[Bb]ot|[Ss]pider|[Cc]rawler)|Slurp|facebookexternalhit|Mediapartners-Google|BingPreview)(?:[/ ]v?(\d+(?:\.\d+)*))?/;

/** What the filter writes, in uap-core's vocabulary (family "Other" when unknown). */
interface Parsed {
  name: string;
  version: string[];
  osName: string;
  osVersion: string[];
  device: string;
}

interface Fields {
  name: string;
  device: string;
  version: string;
  major: string;
  minor: string;
  patch: string;
  osFull: string;
  osName: string;
  legacyOs: string | undefined;
  osVersion: string;
  osMajor: string;
  osMinor: string;
  osPatch: string;
}

class UseragentFilter implements Filter {
  private readonly source: string;
  private readonly targetOption: string | undefined;
  private readonly fields: Fields;
  private readonly cache = new Map<string, Parsed>();
  private readonly cacheSize: number;
  private readonly parser = new UAParser();

  constructor(options: ResolvedOptions, context: PluginContext) {
    this.source = options.string("source");
    this.targetOption = options.optionalString("target");
    this.cacheSize = options.number("lru_cache_size");
    const ecs = ecsEnabled(context.ecsCompatibility);
    const prefix = options.string("prefix");
    if (ecs && prefix !== "")
      context.logger.warn(
        `Field prefix isn't supported in ECS compatibility mode, please remove \`prefix => ${JSON.stringify(prefix)}\``,
        { plugin: context.id },
      );
    if (options.has("regexes"))
      context.logger.warn(
        "the `regexes` option is not supported and is ignored: the built-in parser is used",
        {
          plugin: context.id,
        },
      );
    this.fields = fieldNames(bracketed(this.targetOption ?? (ecs ? "[user_agent]" : "")), prefix, ecs);
  }

  filter(event: Event): boolean {
    let value = event.get(this.source);
    if (Array.isArray(value)) value = value[0];
    if (typeof value !== "string" || value === "") return false;
    const parsed = this.parse(value);
    if (this.targetOption === this.source) event.remove(this.source);
    this.write(event, value, parsed);
    return true;
  }

  private parse(agent: string): Parsed {
    const cached = this.cache.get(agent);
    if (cached !== undefined) {
      this.cache.delete(agent);
      this.cache.set(agent, cached);
      return cached;
    }
    const parsed = toUap(this.parser.setUA(agent).getResult());
    this.cache.set(agent, parsed);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    return parsed;
  }

  private write(event: Event, agent: string, parsed: Parsed): void {
    const f = this.fields;
    event.set(f.name, parsed.name);
    event.set(f.device, parsed.device);
    const [major, minor, patch] = parsed.version;
    if (major !== undefined) event.set(f.major, major);
    if (minor !== undefined) event.set(f.minor, minor);
    if (patch !== undefined) event.set(f.patch, patch);
    const version = browserVersion(agent, parsed.version);
    if (version !== undefined) event.set(f.version, version);
    const [osMajor, osMinor, osPatch] = parsed.osVersion;
    if (osMajor !== undefined) event.set(f.osMajor, osMajor);
    if (osMinor !== undefined) event.set(f.osMinor, osMinor);
    if (osPatch !== undefined) event.set(f.osPatch, osPatch);
    const osVersion = osVersionText(parsed.osVersion);
    if (osVersion !== undefined) event.set(f.osVersion, osVersion);
    event.set(f.osName, parsed.osName);
    if (f.legacyOs !== undefined) event.set(f.legacyOs, parsed.osName);
    event.set(f.osFull, osVersion === undefined ? parsed.osName : `${parsed.osName} ${osVersion}`);
  }
}

function bracketed(target: string): string {
  if (target === "" || target.startsWith("[")) return target;
  return `[${target}]`;
}

function fieldNames(target: string, prefix: string, ecs: boolean): Fields {
  if (ecs) {
    const meta = "[@metadata][filter][user_agent]";
    return {
      name: `${target}[name]`,
      device: `${target}[device][name]`,
      version: `${target}[version]`,
      major: `${meta}[version][major]`,
      minor: `${meta}[version][minor]`,
      patch: `${meta}[version][patch]`,
      osFull: `${target}[os][full]`,
      osName: `${target}[os][name]`,
      legacyOs: undefined,
      osVersion: `${target}[os][version]`,
      osMajor: `${meta}[os][version][major]`,
      osMinor: `${meta}[os][version][minor]`,
      osPatch: `${meta}[os][version][patch]`,
    };
  }
  const at = (name: string) => `${target}[${prefix}${name}]`;
  return {
    name: at("name"),
    device: at("device"),
    version: at("version"),
    major: at("major"),
    minor: at("minor"),
    patch: at("patch"),
    osFull: at("os_full"),
    osName: at("os_name"),
    legacyOs: at("os"),
    osVersion: at("os_version"),
    osMajor: at("os_major"),
    osMinor: at("os_minor"),
    osPatch: at("os_patch"),
  };
}

/** uap-core's names for what ua-parser-js calls differently. */
const osNames: Record<string, string> = {
  macOS: "Mac OS X",
  "Mac OS": "Mac OS X",
  linux: "Linux",
  "Chromium OS": "Chrome OS",
};
const deviceNames: Record<string, string> = { Macintosh: "Mac" };

/** Command-line tools and HTTP libraries, named as uap-core names them. */
const toolPattern =
  /^(curl|Wget|python-requests|Go-http-client|okhttp|PostmanRuntime|HTTPie|libwww-perl|Apache-HttpClient)\/(\d+(?:\.\d+)*)/;
const toolNames: Record<string, string> = { "python-requests": "Python Requests" };

function toUap(result: IResult): Parsed {
  const crawler = crawlerPattern.exec(result.ua);
  const tool = crawler === null ? toolPattern.exec(result.ua) : null;
  const token = crawler ?? tool;
  return {
    name: token === null ? (result.browser.name ?? "Other") : (toolNames[token[1]!] ?? token[1]!),
    version: splitVersion(token === null ? result.browser.version : token[2]),
    osName: result.os.name === undefined ? "Other" : (osNames[result.os.name] ?? result.os.name),
    osVersion: splitVersion(result.os.version),
    device: crawler
      ? "Spider"
      : result.device.model === undefined
        ? "Other"
        : (deviceNames[result.device.model] ?? result.device.model),
  };
}

function splitVersion(version: string | undefined): string[] {
  if (version === undefined || version === "") return [];
  return version.split(/[._]/).slice(0, 4);
}

/** "major.minor.patch[.patchMinor]", with a patchMinor taken from the agent text as Logstash adjusts it. */
function browserVersion(agent: string, parts: string[]): string | undefined {
  if (parts.length === 0) return undefined;
  const version = parts.join(".");
  if (parts.length !== 3) return version;
  const at = agent.indexOf(version);
  if (at < 0) return version;
  const end = at + version.length;
  if (agent[end] !== ".") return version;
  const space = agent.indexOf(" ", end + 1);
  if (space < 0) return version;
  const patchMinor = agent.slice(end + 1, space);
  return /^(0|[1-9]\d*)$/.test(patchMinor) ? `${version}.${patchMinor}` : version;
}

/** The OS version as Logstash builds it: numeric majors join with ".", named ones ("Vista") with a space. */
function osVersionText(parts: string[]): string | undefined {
  const [major, minor, patch, patchMinor] = parts;
  if (major === undefined) return undefined;
  let version = major;
  if (minor === undefined) return version;
  version += (/^\d+$/.test(major) ? "." : " ") + minor;
  if (patch === undefined) return version;
  version += `.${patch}`;
  return patchMinor === undefined ? version : `${version}.${patchMinor}`;
}
