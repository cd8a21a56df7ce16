// The xml filter: parses XML text from a field, stores it as XmlSimple-shaped data in `target` (store_xml)
// and/or copies XPath query results into fields (`xpath`), tagging unparseable input _xmlparsefailure.

import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";
import { type SimpleOptions, xmlSimple } from "./xml/simple.js";
import {
  assertWellFormed,
  childElements,
  parseXml,
  removeNamespaces,
  serialize,
  type XmlElement,
} from "./xml/tree.js";
import { evaluateXPath, formatXPathNumber, type Namespaces } from "./xml/xpath.js";

export const xmlParseFailureTag = "_xmlparsefailure";

/** libxml2 parse options Nokogiri knows by name; only STRICT (refuse malformed XML) changes what we do. */
const parseOptionNames = new Set([
  "STRICT",
  "RECOVER",
  "NOENT",
  "DTDLOAD",
  "DTDATTR",
  "DTDVALID",
  "NOERROR",
  "NOWARNING",
  "PEDANTIC",
  "NOBLANKS",
  "SAX1",
  "XINCLUDE",
  "NONET",
  "NODICT",
  "NSCLEAN",
  "NOCDATA",
  "NOXINCNODE",
  "COMPACT",
  "OLD10",
  "NOBASEFIX",
  "HUGE",
  "BIGLINES",
  "DEFAULTXML",
  "DEFAULTXSLT",
  "DEFAULTHTML",
  "DEFAULTXHTML",
  "DEFAULTSCHEMA",
]);

export const xmlFilter: FilterSpec = {
  kind: "filter",
  name: "xml",
  doc: "Parses XML from a field into a structure (store_xml) and/or extracts XPath results into fields.",
  options: {
    source: { type: "string", required: true, doc: "The field holding the XML text." },
    target: { type: "string", doc: "Where the parsed structure goes; required with store_xml." },
    xpath: { type: "hash", default: {}, doc: "XPath expression => field receiving the matches (an array)." },
    parse_options: { type: "string", doc: "Nokogiri parse options, e.g. `strict`, comma or | separated." },
    store_xml: { type: "boolean", default: true, doc: "Store the whole parsed document in `target`." },
    force_array: {
      type: "boolean",
      default: true,
      doc: "Child elements are always arrays (XmlSimple ForceArray).",
    },
    force_content: { type: "boolean", default: false, doc: "Element text always goes to a `content` key." },
    namespaces: { type: "hash", default: {}, doc: "Prefix => URI for namespaced XPath expressions." },
    remove_namespaces: {
      type: "boolean",
      default: false,
      doc: "Drop namespaces before running the XPath queries.",
    },
    suppress_empty: {
      type: "boolean",
      default: true,
      doc: "Leave empty elements out of the stored structure.",
    },
  },
  create: (options, context) => new XmlFilter(options, context),
};

class XmlFilter implements Filter {
  private readonly source: string;
  private readonly target: string | undefined;
  private readonly xpaths: [string, string][];
  private readonly storeXml: boolean;
  private readonly simple: SimpleOptions;
  private readonly namespaces: Record<string, string>;
  private readonly removeNamespaces: boolean;
  private readonly strict: boolean;

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.source = options.string("source");
    this.target = options.optionalString("target");
    this.storeXml = options.boolean("store_xml");
    if (this.storeXml && (this.target === undefined || this.target === ""))
      throw new Error("When the 'store_xml' configuration option is true, 'target' must also be set");
    this.xpaths = Object.entries(options.hash("xpath")).map(([path, field]) => [path, String(field)]);
    this.simple = {
      forceArray: options.boolean("force_array"),
      forceContent: options.boolean("force_content"),
      suppressEmpty: options.boolean("suppress_empty"),
    };
    this.namespaces = Object.fromEntries(
      Object.entries(options.hash("namespaces")).map(([k, v]) => [k, String(v)]),
    );
    this.removeNamespaces = options.boolean("remove_namespaces");
    this.strict = parseOptions(options.optionalString("parse_options")).has("STRICT");
  }

  filter(event: Event): boolean {
    let value = event.get(this.source);
    if (value === undefined || value === null || value === false) return false;
    if (Array.isArray(value)) {
      if (value.length !== 1) return this.fail(event, "XML filter expects single item array");
      value = value[0]!;
    }
    if (typeof value !== "string")
      return this.fail(event, `XML filter expects a string but received a ${typeof value}`);
    if (value.trim() === "") return false;
    let matched = false;
    try {
      if (this.xpaths.length > 0) {
        const result = this.runXPaths(event, value);
        if (result === undefined) return false;
        matched = result;
      }
      if (this.storeXml) {
        assertWellFormed(value);
        event.set(this.target!, xmlSimple(parseXml(value), this.simple));
        matched = true;
      }
    } catch (err) {
      return this.fail(event, "Error parsing xml", (err as Error).message);
    }
    return matched;
  }

  /** True when some query found something; undefined when the document could not be parsed (tagged). */
  private runXPaths(event: Event, text: string): boolean | undefined {
    let document: XmlElement;
    try {
      if (this.strict) assertWellFormed(text);
      document = parseXml(text);
    } catch (err) {
      this.fail(event, "Error parsing xml", (err as Error).message);
      return undefined;
    }
    if (this.removeNamespaces) for (const root of childElements(document)) removeNamespaces(root);
    const namespaces = Object.keys(this.namespaces).length > 0 ? this.namespaces : rootNamespaces(document);
    let matched = false;
    for (const [expression, field] of this.xpaths) {
      const data = xpathStrings(evaluateXPath(expression, document, namespaces));
      if (data.length > 0) matched = true;
      if (data.length === 1 && !this.simple.forceArray) event.set(field, data[0]);
      else if (data.length > 0) event.set(field, data);
    }
    return matched;
  }

  private fail(event: Event, message: string, exception?: string): false {
    event.tag(xmlParseFailureTag);
    this.context.logger.warn(message, { plugin: this.context.id, source: this.source, exception });
    this.context.countFailure("xml_parse_failure");
    return false;
  }
}

/** What Logstash stores from one query: each node's to_s, or the single string/number/true value. */
function xpathStrings(value: ReturnType<typeof evaluateXPath>): string[] {
  if (Array.isArray(value)) return value.map(serialize);
  if (value === false) return [];
  if (typeof value === "number") return [formatXPathNumber(value)];
  return [String(value)];
}

/** Nokogiri registers the root element's namespace declarations (default one as `xmlns`) for queries. */
function rootNamespaces(document: XmlElement): Namespaces {
  const root = childElements(document)[0];
  const namespaces: Record<string, string> = {};
  for (const [key, value] of root?.attributes ?? []) {
    if (key === "xmlns") namespaces.xmlns = value;
    else if (key.startsWith("xmlns:")) namespaces[key.slice(6)] = value;
  }
  return namespaces;
}

function parseOptions(text: string | undefined): Set<string> {
  const names = new Set<string>();
  if (text === undefined) return names;
  for (const option of text.split(/,|\|/)) {
    const name = option.trim().replace(/_/g, "").toUpperCase();
    if (name === "") continue;
    if (!parseOptionNames.has(name)) throw new Error(`unsupported parse option: ${JSON.stringify(option)}`);
    names.add(name);
  }
  return names;
}
