// The `cef` codec (logstash-codec-cef 6.x): decodes ArcSight Common Event Format lines into events (header fields,
// extension key=value pairs with their ECS names) and encodes events as CEF lines built from configured fields.

import { isUtf8 } from "node:buffer";
import { limits } from "../../../common/limits.js";
import { Event, type FieldValue, Timestamp, toPlain } from "../../event/index.js";
import type { Codec, CodecSpec, Decoder, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { cefFields } from "./cef/fields.js";
import { CefTimestampNormalizer } from "./cef/timestamp.js";
import { LineSplitter } from "./line-splitter.js";
import { rubyToS } from "./ruby-format.js";

export const CEF_FAILURE_TAG = "_cefparsefailure";

const headerDefaults = {
  vendor: "Elasticsearch",
  product: "Logstash",
  version: "1.0",
  signature: "Logstash",
  name: "Logstash",
  severity: "6",
} as const;

// A header field: escaped pipes, escaped backslashes or anything but a pipe, up to the next bare pipe.
const HEADER_NEXT_FIELD = /((?:\\\||\\\\|[^|])*?)\|/;
const HEADER_ESCAPE = /\\([\\|])/g;
// A key: word characters, optional dotted subkeys, optional [n] index, and then "=".
const KEY = String.raw`\w+(?:\.[^.=\s|\\\[\]]+)*(?:\[[0-9]+\])?(?==)`;
// A value: non-blanks, and runs of blanks not followed by a key (the run is taken whole, as Ruby's `\s++`).
const VALUE = String.raw`(?:\S|(?=(\s+))\3(?!${KEY}=))*`;
// Groups: 1 key, 2 value, 3 the blank run inside the value.
const NEXT_KEY_VALUE = new RegExp(String.raw`(${KEY})=(${VALUE})\s*`, "y");
const KEY_WITH_INDEX = /^([^[\]]+)((?:\[[0-9]+\])+)$/;
const EXTENSION_UNESCAPES: Record<string, string> = { "\\\\": "\\", "\\=": "=", "\\n": "\n", "\\r": "\r" };

class CefParseError extends Error {}

interface CefSettings {
  header: { [K in keyof typeof headerDefaults]: string };
  fields: string[];
  delimiter: string | undefined;
  rawDataField: string | undefined;
  reverseMapping: boolean;
  device: string;
  locale: string | undefined;
  defaultTimezone: string | undefined;
}

/** The field names and translations one codec instance uses, fixed by its ECS mode and settings. */
interface CefDictionary {
  headerFields: readonly string[];
  syslogHeaderField: string;
  decodeNames: ReadonlyMap<string, string>;
  encodeNames: ReadonlyMap<string, string>;
  /** ECS mode: fields whose values are parsed as times. */
  timestampFields: ReadonlySet<string>;
}

function dictionaryFor(settings: CefSettings, ecs: boolean): CefDictionary {
  const headerFields = ecs
    ? ["[cef][version]", "[observer][vendor]", "[observer][product]", "[observer][version]"]
    : ["cefVersion", "deviceVendor", "deviceProduct", "deviceVersion"];
  headerFields.push(
    ...(ecs
      ? ["[event][code]", "[cef][name]", "[event][severity]"]
      : ["deviceEventClassId", "name", "severity"]),
  );
  const decodeNames = new Map<string, string>();
  const encodeNames = new Map<string, string>();
  const timestampFields = new Set<string>();
  // Ascending priority: of several names sharing an ECS field, the highest priority is written last and wins.
  const fields = cefFields(settings.device).sort((a, b) => a.priority - b.priority);
  for (const cef of fields) {
    const fieldName = ecs ? cef.ecsField : cef.name;
    const encodeAs = settings.reverseMapping ? cef.key : cef.name;
    decodeNames.set(cef.key, fieldName);
    decodeNames.set(cef.name, fieldName);
    encodeNames.set(fieldName, encodeAs);
    if (cef.name !== fieldName) encodeNames.set(cef.name, encodeAs);
    if (cef.legacy !== undefined) {
      decodeNames.set(cef.legacy, ecs ? cef.ecsField : cef.legacy);
      encodeNames.set(cef.legacy, settings.reverseMapping ? cef.key : cef.legacy);
    }
    if (ecs && cef.timestamp) timestampFields.add(fieldName);
  }
  const syslogHeaderField = ecs ? "[log][syslog][header]" : "syslog";
  return { headerFields, syslogHeaderField, decodeNames, encodeNames, timestampFields };
}

export class CefCodec implements Codec {
  private readonly dictionary: CefDictionary;
  private readonly ecs: boolean;
  private readonly times: CefTimestampNormalizer;

  constructor(
    private readonly settings: CefSettings,
    private readonly context: PluginContext,
  ) {
    this.ecs = context.ecsCompatibility !== "disabled";
    this.dictionary = dictionaryFor(settings, this.ecs);
    this.times = new CefTimestampNormalizer(settings.locale, settings.defaultTimezone);
  }

  createDecoder(emit: (event: Event) => void): Decoder {
    const delimiter = this.settings.delimiter;
    if (delimiter === undefined) return { write: (data) => emit(this.decodeOne(data)), end: () => {} };
    const splitter = new LineSplitter(delimiter, limits.codecLineBytesMax, {
      line: (bytes) => emit(this.decodeOne(bytes)),
      overflow: (prefix) => {
        this.context.logger.warn(
          "CEF event longer than the codec's limit; kept its start, dropped the rest",
          {
            plugin: this.context.id,
            limit_bytes: limits.codecLineBytesMax,
          },
        );
        emit(this.decodeOne(prefix));
      },
    });
    return {
      write: (data) => splitter.write(data),
      end: () => {
        const rest = splitter.flush();
        if (rest.length > 0) emit(this.decodeOne(rest));
      },
    };
  }

  /** One CEF record; anything that is not CEF becomes a tagged event holding the text. */
  decodeOne(bytes: Buffer): Event {
    let data = bytes.toString("utf8");
    try {
      const event = new Event();
      if (this.settings.rawDataField !== undefined) event.set(this.settings.rawDataField, data);
      if (!isUtf8(bytes)) throw new CefParseError("invalid byte sequence in UTF-8");
      // Flex connectors wrap the whole record in quotes.
      if (data.startsWith('"')) data = data.slice(1, -1);
      this.parseInto(event, data);
      return event;
    } catch (err) {
      this.context.logger.error(
        "Failed to decode CEF payload. Generating failure event with payload in message field.",
        { plugin: this.context.id, exception: (err as Error).message, original_data: bytes.toString("utf8") },
      );
      this.context.countFailure("cef_parse_failure");
      return new Event({ message: data, tags: [CEF_FAILURE_TAG] });
    }
  }

  private parseInto(event: Event, data: string): void {
    let rest = chomp(data);
    if (rest.includes("\n"))
      throw new CefParseError(
        "message is not valid CEF because it contains unescaped newline characters; use the `delimiter` " +
          "setting to enable in-codec buffering and delimiter-splitting",
      );
    const headers: string[] = [];
    for (const [index, field] of this.dictionary.headerFields.entries()) {
      const match = HEADER_NEXT_FIELD.exec(rest);
      if (match === null)
        throw new CefParseError(
          `message is not valid CEF; found ${index} of 7 required pipe-terminated header fields`,
        );
      const value = match[1]!.replace(HEADER_ESCAPE, "$1");
      headers.push(value);
      event.set(field, value);
      rest = rest.slice(match.index + match[0].length);
    }
    this.splitVersion(event, headers[0]!);
    const extensions = rest.trim();
    if (extensions !== "") this.parseExtensions(event, extensions);
  }

  /** "<syslog header> CEF:0" → the header apart, and the version without its "CEF:" prefix. */
  private splitVersion(event: Event, version: string): void {
    const versionField = this.dictionary.headerFields[0]!;
    let cefVersion = version;
    const space = version.lastIndexOf(" ");
    if (space >= 0) {
      event.set(this.dictionary.syslogHeaderField, version.slice(0, space));
      cefVersion = version.slice(space + 1);
    }
    event.set(versionField, cefVersion.startsWith("CEF:") ? cefVersion.slice(4) : cefVersion);
  }

  private parseExtensions(event: Event, text: string): void {
    const found = new Map<string, string>();
    let position = 0;
    for (;;) {
      NEXT_KEY_VALUE.lastIndex = position;
      const match = NEXT_KEY_VALUE.exec(text);
      if (match === null || match[0].length === 0) break;
      position = NEXT_KEY_VALUE.lastIndex;
      let key = this.dictionary.decodeNames.get(match[1]!) ?? match[1]!;
      if (key.endsWith("]")) key = key.replace(KEY_WITH_INDEX, "[$1]$2");
      found.set(
        key,
        match[2]!.replace(/\\[\\=nr]/g, (sequence) => EXTENSION_UNESCAPES[sequence]!),
      );
    }
    if (position < text.length)
      throw new CefParseError(`invalid extensions; keyless value present \`${text.slice(position)}\``);
    if (this.ecs) this.normalizeTimes(event, found);
    for (const [key, value] of found) event.set(key, value);
  }

  /** ECS mode: time fields become timestamps, read in the device's zone (dtz) when the text has none. */
  private normalizeTimes(event: Event, found: Map<string, string>): void {
    const deviceZone = found.get("[event][timezone]");
    for (const field of this.dictionary.timestampFields) {
      const text = found.get(field);
      if (text === undefined) continue;
      found.delete(field);
      event.set(field, text.trim() === "" ? null : this.times.normalize(text, deviceZone));
    }
  }

  encode(event: Event): string {
    const header = this.settings.header;
    const part = (name: keyof typeof headerDefaults) =>
      sanitizeHeaderField(event.sprintf(header[name])) || headerDefaults[name];
    const severityText = sanitizeHeaderField(event.sprintf(header.severity)).trim();
    const severity = validSeverity(severityText)
      ? String(Math.trunc(Number(severityText)))
      : headerDefaults.severity;
    const head = [
      "CEF:0",
      part("vendor"),
      part("product"),
      part("version"),
      part("signature"),
      part("name"),
      severity,
    ];
    const extensions: string[] = [];
    for (const field of this.settings.fields) {
      const pair = this.extensionPair(event, field);
      if (pair !== undefined) extensions.push(pair);
    }
    return `${head.join("|")}|${extensions.join(" ")}${this.settings.delimiter ?? ""}`;
  }

  private extensionPair(event: Event, field: string): string | undefined {
    const value = event.get(field);
    if (value === undefined || value === null) return undefined;
    const key = sanitizeExtensionKey(this.dictionary.encodeNames.get(field) ?? field);
    return `${key}=${extensionText(value)}`;
  }
}

function extensionText(value: FieldValue): string {
  if (value instanceof Timestamp) return value.toString();
  if (typeof value === "object" && value !== null)
    return sanitizeExtensionValue(JSON.stringify(toPlain(value)));
  return sanitizeExtensionValue(rubyToS(value));
}

function chomp(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  if (text.endsWith("\n") || text.endsWith("\r")) return text.slice(0, -1);
  return text;
}

/** Header values: backslashes and pipes escaped, line breaks become spaces. */
export function sanitizeHeaderField(text: string): string {
  return text
    .replaceAll("\r\n", "\n")
    .replace(/[\\|\n\r]/g, (c) => (c === "\\" || c === "|" ? `\\${c}` : " "));
}

/** Extension keys keep only letters and digits. */
export function sanitizeExtensionKey(text: string): string {
  return text.replace(/[^a-zA-Z0-9]/g, "");
}

/** Extension values: backslashes and equals signs escaped, any line break written as \n. */
export function sanitizeExtensionValue(text: string): string {
  return text
    .replaceAll("\r\n", "\n")
    .replace(/[\\=\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "=" ? "\\=" : "\\n"));
}

/** An integer from 0 to 10, possibly written as a float with no fraction ("1.0"). */
export function validSeverity(text: string): boolean {
  if (!/^\s*[+-]?(?:\d[\d_]*)?(?:\.\d+)?(?:[eE][+-]?\d+)?\s*$/.test(text) || !/\d/.test(text)) return false;
  const value = Number(text.replaceAll("_", ""));
  return Number.isFinite(value) && value % 1 === 0 && value >= 0 && value <= 10;
}

/** Logstash reads `\r` and `\n` in the delimiter setting as the control characters. */
function expandDelimiter(text: string | undefined): string | undefined {
  return text?.replaceAll("\\r", "\r").replaceAll("\\n", "\n");
}

function settingsOf(options: ResolvedOptions): CefSettings {
  return {
    header: {
      vendor: options.string("vendor"),
      product: options.string("product"),
      version: options.string("version"),
      signature: options.string("signature"),
      name: options.string("name"),
      severity: options.string("severity"),
    },
    fields: options.stringArray("fields"),
    delimiter: expandDelimiter(options.optionalString("delimiter")) || undefined,
    rawDataField: options.optionalString("raw_data_field"),
    reverseMapping: options.boolean("reverse_mapping"),
    device: options.string("device"),
    locale: options.optionalString("locale"),
    defaultTimezone: options.optionalString("default_timezone"),
  };
}

const headerOption = (name: keyof typeof headerDefaults, what: string) => ({
  type: "string" as const,
  default: headerDefaults[name],
  doc: `${what} in the CEF header when encoding (sprintf'd; empty falls back to the default).`,
});

export const cefCodec: CodecSpec = {
  kind: "codec",
  name: "cef",
  doc:
    "ArcSight Common Event Format: decodes CEF records (header, extensions, optional syslog prefix) into fields, " +
    "with ECS names unless ecs_compatibility is disabled, and encodes events as CEF lines.",
  options: {
    vendor: headerOption("vendor", "Device vendor"),
    product: headerOption("product", "Device product"),
    version: headerOption("version", "Device version"),
    signature: headerOption("signature", "Signature id"),
    name: headerOption("name", "Event name"),
    severity: {
      type: "string",
      default: "6",
      doc: "Severity in the CEF header when encoding (sprintf'd; anything but an integer 0..10 becomes 6).",
    },
    fields: { type: "array", default: [], doc: "Fields written as extension key=value pairs when encoding." },
    reverse_mapping: {
      type: "boolean",
      default: false,
      doc: "Encode extension keys by their short CEF key (src) rather than the full name (sourceAddress).",
    },
    delimiter: {
      type: "string",
      doc: 'Split the byte stream on this delimiter (e.g. "\\r\\n") and append it when encoding.',
    },
    default_timezone: {
      type: "string",
      doc: "Zone for CEF times without one when dtz is absent (ECS mode).",
    },
    locale: { type: "string", doc: "Locale of month names in CEF times (ECS mode)." },
    raw_data_field: { type: "string", doc: "Field that receives the raw record when decoding." },
    device: {
      type: ["observer", "host"],
      default: "observer",
      doc: "Whether the device fields (dvc, dvchost, ...) describe the observer or the host (ECS mode).",
    },
  },
  create(options, context) {
    return new CefCodec(settingsOf(options), context);
  },
};
