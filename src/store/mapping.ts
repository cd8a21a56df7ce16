// Field mappings: dynamic detection from document values (ES's default rules), explicit mappings from
// `PUT index` and templates, the typed DuckDB column behind each field, and the ES JSON rendering.

import { analyzeJoined } from "./analysis.js";
import { looksLikeDate, parseDateValue } from "./dates.js";

/** How a field is stored; `esType` keeps the declared ES type name for `_mapping` answers. */
export type StorageType = "text" | "keyword" | "long" | "double" | "boolean" | "date" | "object";

export interface FieldInfo {
  name: string;
  type: StorageType;
  esType: string;
  /** DuckDB column; absent for objects. */
  column?: string;
  /** JSONPath into `_source` (may contain `[*]` when the field sits in an array of objects). */
  jsonPath: string;
  /** Other places documents put this field: `{"a.b":1}` and `{"a":{"b":1}}` are one field in ES. */
  otherPaths?: string[];
  /** The column holds a list because some document gave several values. */
  list: boolean;
  ignoreAbove?: number;
  /** For a multi-field such as `message.keyword`: the parent field whose value it indexes. */
  parent?: string;
}

export interface IndexMapping {
  fields: Record<string, FieldInfo>;
  nextColumn: number;
  dynamic: "true" | "false" | "strict";
}

export class MappingError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export function emptyMapping(): IndexMapping {
  return { fields: {}, nextColumn: 0, dynamic: "true" };
}

const esTypeStorage: Record<string, StorageType> = {
  text: "text",
  match_only_text: "text",
  keyword: "keyword",
  constant_keyword: "keyword",
  wildcard: "keyword",
  ip: "keyword",
  version: "keyword",
  long: "long",
  integer: "long",
  short: "long",
  byte: "long",
  unsigned_long: "long",
  double: "double",
  float: "double",
  half_float: "double",
  scaled_float: "double",
  boolean: "boolean",
  date: "date",
  date_nanos: "date",
  object: "object",
  nested: "object",
  flattened: "keyword",
};

/**
 * A text column holds the field's analysed tokens joined by single spaces (NULL for none): one string per
 * document is several times cheaper to write than a list of strings, and tokens never contain a space.
 * This is the list of tokens in SQL.
 */
export function tokenListSql(column: string): string {
  return `string_split(${column}, ' ')`;
}

export function sqlType(field: FieldInfo): string {
  const base = {
    text: "VARCHAR",
    keyword: "VARCHAR",
    long: "BIGINT",
    double: "DOUBLE",
    boolean: "BOOLEAN",
    date: "BIGINT",
    object: "",
  }[field.type];
  return field.list && field.type !== "text" ? `${base}[]` : base;
}

const quoteKey = (key: string) => `"${key.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** A pending change to a mapping: fields to add and fields whose column becomes a list. */
export interface MappingDelta {
  added: FieldInfo[];
  listified: FieldInfo[];
}

/**
 * Walks one document against `mapping` (mutated in place: callers pass a copy), adding dynamic
 * fields and noting list conversions. Throws MappingError for a value its field cannot take.
 */
export function applyDocument(
  mapping: IndexMapping,
  doc: Record<string, unknown>,
  delta: MappingDelta,
  tokens?: Record<string, string>,
): void {
  walkObject(mapping, doc, "", "$", false, delta, tokens);
}

/** A field's name and JSONPath under a parent path: built once per (parent, key), not once per document. */
interface ChildPath {
  name: string;
  jsonPath: string;
}

const childPaths = new Map<string, Map<string, ChildPath>>();
/** Distinct (parent, key) pairs cached; documents with ever-new keys would otherwise grow it without end. */
const childPathsMax = 100_000;
let childPathCount = 0;

function childPath(prefix: string, jsonPath: string, key: string): ChildPath {
  let byKey = childPaths.get(jsonPath);
  const known = byKey?.get(key);
  if (known !== undefined) return known;
  if (childPathCount >= childPathsMax) {
    childPaths.clear();
    childPathCount = 0;
    byKey = undefined;
  }
  if (byKey === undefined) {
    byKey = new Map();
    childPaths.set(jsonPath, byKey);
  }
  const made = { name: prefix ? `${prefix}.${key}` : key, jsonPath: `${jsonPath}.${quoteKey(key)}` };
  byKey.set(key, made);
  childPathCount++;
  return made;
}

function walkObject(
  mapping: IndexMapping,
  obj: Record<string, unknown>,
  prefix: string,
  jsonPath: string,
  inArray: boolean,
  delta: MappingDelta,
  tokens?: Record<string, string>,
): void {
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const child = childPath(prefix, jsonPath, key);
    walkValue(mapping, obj[key], child.name, child.jsonPath, inArray, delta, tokens);
  }
}

function walkValue(
  mapping: IndexMapping,
  value: unknown,
  name: string,
  jsonPath: string,
  inArray: boolean,
  delta: MappingDelta,
  tokens?: Record<string, string>,
): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    const hasObjects = value.some((v) => v !== null && typeof v === "object" && !Array.isArray(v));
    for (const item of value) {
      if (Array.isArray(item)) walkValue(mapping, item, name, jsonPath, true, delta, tokens);
      else walkValue(mapping, item, name, hasObjects ? `${jsonPath}[*]` : jsonPath, true, delta, tokens);
    }
    return;
  }
  const existing = mapping.fields[name];
  if (typeof value === "object") {
    if (existing && existing.type !== "object")
      throw new MappingError(
        "document_parsing_exception",
        `failed to parse field [${name}] of type [${existing.esType}]: tried to parse an object as a concrete value`,
      );
    if (!existing) {
      ensureAncestors(mapping, name, delta);
      addField(mapping, { name, type: "object", esType: "object", jsonPath, list: false }, delta);
    }
    walkObject(mapping, value as Record<string, unknown>, name, jsonPath, inArray, delta, tokens);
    return;
  }
  const field = existing ?? detectField(mapping, name, value, jsonPath, delta);
  if (!field) return;
  if (field.jsonPath !== jsonPath && !field.otherPaths?.includes(jsonPath))
    notePath(mapping, field, jsonPath);
  checkValue(field, value);
  if (tokens && field.type === "text" && field.column) {
    const joined = analyzeJoined(String(value));
    const before = tokens[field.column];
    if (joined !== "") tokens[field.column] = before ? `${before} ${joined}` : joined;
  }
  if (inArray) {
    markList(mapping, field, delta);
    const keyword = mapping.fields[`${name}.keyword`];
    if (keyword?.parent === name) markList(mapping, keyword, delta);
  }
}

/** Object fields for the parents of a dotted name (`{"a.b":1}` maps `a` as an object, as ES does). */
function ensureAncestors(mapping: IndexMapping, name: string, delta: MappingDelta): void {
  const parts = name.split(".");
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join(".");
    const existing = mapping.fields[parent];
    if (existing && existing.type !== "object")
      throw new MappingError(
        "document_parsing_exception",
        `Could not dynamically add mapping for field [${name}]. Existing mapping for [${parent}] must be of type object but found [${existing.esType}].`,
      );
    if (!existing) {
      const jsonPath = `$${parts
        .slice(0, i)
        .map((p) => `.${quoteKey(p)}`)
        .join("")}`;
      addField(mapping, { name: parent, type: "object", esType: "object", jsonPath, list: false }, delta);
    }
  }
}

function notePath(mapping: IndexMapping, field: FieldInfo, jsonPath: string): void {
  for (const f of [field, ...Object.values(mapping.fields).filter((s) => s.parent === field.name)]) {
    f.otherPaths = [...(f.otherPaths ?? []), jsonPath];
  }
}

function markList(mapping: IndexMapping, field: FieldInfo, delta: MappingDelta): void {
  if (field.list || field.type === "object") return;
  field.list = true;
  if (field.type !== "text" && !delta.added.includes(field)) delta.listified.push(field);
  mapping.fields[field.name] = field;
}

function detectField(
  mapping: IndexMapping,
  name: string,
  value: unknown,
  jsonPath: string,
  delta: MappingDelta,
): FieldInfo | null {
  if (mapping.dynamic === "strict")
    throw new MappingError(
      "strict_dynamic_mapping_exception",
      `mapping set to strict, dynamic introduction of [${name}] within [_doc] is not allowed`,
    );
  if (mapping.dynamic === "false") return null;
  ensureAncestors(mapping, name, delta);
  if (typeof value === "boolean")
    return addField(mapping, { name, type: "boolean", esType: "boolean", jsonPath, list: false }, delta);
  if (typeof value === "number") {
    const integral = Number.isInteger(value);
    return addField(
      mapping,
      {
        name,
        type: integral ? "long" : "double",
        esType: integral ? "long" : "float",
        jsonPath,
        list: false,
      },
      delta,
    );
  }
  const text = String(value);
  if (looksLikeDate(text))
    return addField(mapping, { name, type: "date", esType: "date", jsonPath, list: false }, delta);
  const field = addField(mapping, { name, type: "text", esType: "text", jsonPath, list: false }, delta);
  addField(
    mapping,
    {
      name: `${name}.keyword`,
      type: "keyword",
      esType: "keyword",
      jsonPath,
      list: false,
      ignoreAbove: 256,
      parent: name,
    },
    delta,
  );
  return field;
}

function addField(mapping: IndexMapping, field: FieldInfo, delta: MappingDelta): FieldInfo {
  if (field.type !== "object") field.column = `c${mapping.nextColumn++}`;
  mapping.fields[field.name] = field;
  delta.added.push(field);
  return field;
}

function checkValue(field: FieldInfo, value: unknown): void {
  const fail = () => {
    throw new MappingError(
      "document_parsing_exception",
      `failed to parse field [${field.name}] of type [${field.esType}] in document. Preview of field's value: '${String(value)}'`,
    );
  };
  switch (field.type) {
    case "object":
      throw new MappingError(
        "document_parsing_exception",
        `object mapping for [${field.name}] tried to parse field [${field.name}] as object, but found a concrete value`,
      );
    case "long":
    case "double":
      if (typeof value === "boolean" || (typeof value === "string" && !Number.isFinite(Number(value))))
        fail();
      return;
    case "boolean":
      if (value !== true && value !== false && value !== "true" && value !== "false" && value !== "") fail();
      return;
    case "date":
      if (parseDateValue(value) === null) fail();
      return;
    default:
      return;
  }
}

/** Separates the text columns' token strings in a staged row's `tok`. */
export const tokenColumnSeparator = "\x1f";

/**
 * SQL computing a field's column from a staged document. `src` is its JSON text; `toks[n]` the
 * space-joined tokens of the n-th text field (analysed in JS: several times faster than DuckDB's
 * regexes); `vals[n]` the string at the n-th path of `extractPaths` (one JSON parse per document
 * for all scalar fields). `slot` is n for the field's kind, or undefined to extract on its own.
 */
export function extractSql(field: FieldInfo, slot?: number): string {
  if (field.type === "text") {
    const joined = `toks[${(slot as number) + 1}]`;
    return `NULLIF(${joined}, '')`;
  }
  const paths = [field.jsonPath, ...(field.otherPaths ?? [])];
  if (!field.list) {
    if (slot !== undefined) return convertSql(field, `vals[${slot + 1}]`);
    return convertSql(
      field,
      `coalesce(${paths.map((p) => `json_extract_string(src, ${lit(p)})`).join(", ")})`,
    );
  }
  const lists = paths.map(listOf);
  const all = lists.length === 1 ? lists[0] : `flatten([${lists.join(", ")}])`;
  return `list_filter(list_transform(${all}, lambda v: ${convertSql(field, "v")}), lambda v: v IS NOT NULL)`;
}

/** Fields read through the shared `vals` list (scalar, non-text), in slot order. */
export function extractPaths(fields: FieldInfo[]): FieldInfo[] {
  return fields.filter(
    (f) => f.column && f.type !== "text" && f.type !== "object" && !f.list && !f.otherPaths,
  );
}

const lit = (text: string) => `'${text.replace(/'/g, "''")}'`;

function listOf(jsonPath: string): string {
  const path = lit(jsonPath);
  if (jsonPath.includes("[*]")) return `json_extract_string(src, ${path})`;
  return `CASE WHEN json_type(src, ${path}) = 'ARRAY' THEN json_extract_string(src, ${path.slice(0, -1)}[*]') WHEN json_extract_string(src, ${path}) IS NULL THEN []::VARCHAR[] ELSE [json_extract_string(src, ${path})] END`;
}

function convertSql(field: FieldInfo, x: string): string {
  switch (field.type) {
    case "keyword":
      return field.ignoreAbove ? `CASE WHEN length(${x}) <= ${field.ignoreAbove} THEN ${x} END` : x;
    case "long":
      return `TRY_CAST(trunc(TRY_CAST(${x} AS DOUBLE)) AS BIGINT)`;
    case "double":
      return `TRY_CAST(${x} AS DOUBLE)`;
    case "boolean":
      return `TRY_CAST(${x} AS BOOLEAN)`;
    case "date":
      return `CASE WHEN regexp_full_match(${x}, '-?[0-9]+') AND length(${x}) NOT IN (4, 8) THEN TRY_CAST(${x} AS BIGINT) ELSE epoch_ms(TRY_CAST(replace(${x}, '/', '-') AS TIMESTAMPTZ)) END`;
    default:
      return "NULL";
  }
}

/** ES `mappings` JSON for `GET index/_mapping`. */
export function renderMapping(mapping: IndexMapping): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const names = Object.keys(mapping.fields).sort();
  for (const name of names) {
    const field = mapping.fields[name] as FieldInfo;
    const target = field.parent ? subfieldsOf(root, field.parent) : propertiesOf(root, name);
    const leaf = field.parent ? name.slice(field.parent.length + 1) : (name.split(".").pop() as string);
    if (field.type === "object") {
      target[leaf] = {
        ...(target[leaf] as object),
        ...(field.esType === "nested" ? { type: "nested" } : {}),
      };
      continue;
    }
    const body: Record<string, unknown> = { ...(target[leaf] as object), type: field.esType };
    if (field.ignoreAbove) body.ignore_above = field.ignoreAbove;
    target[leaf] = body;
  }
  const out: Record<string, unknown> = {};
  if (mapping.dynamic !== "true") out.dynamic = mapping.dynamic;
  if (Object.keys(root).length > 0) out.properties = root;
  return out;
}

function propertiesOf(root: Record<string, unknown>, name: string): Record<string, unknown> {
  const parts = name.split(".");
  let props = root;
  for (const part of parts.slice(0, -1)) {
    const obj = slot<Record<string, unknown>>(props, part, () => ({}));
    props = slot<Record<string, unknown>>(obj, "properties", () => ({}));
  }
  return props;
}

function subfieldsOf(root: Record<string, unknown>, parent: string): Record<string, unknown> {
  const props = propertiesOf(root, parent);
  const leaf = parent.split(".").pop() as string;
  const obj = slot<Record<string, unknown>>(props, leaf, () => ({}));
  return slot<Record<string, unknown>>(obj, "fields", () => ({}));
}

/** `record[key]`, created by `make` when absent. */
function slot<T>(record: Record<string, unknown>, key: string, make: () => T): T {
  if (record[key] === undefined) record[key] = make();
  return record[key] as T;
}

/** Adds an explicit `mappings` body (from PUT index, _mapping or a template) to `mapping`. */
export function applyExplicitMapping(mapping: IndexMapping, body: unknown, delta: MappingDelta): void {
  if (body === null || typeof body !== "object") return;
  const b = body as Record<string, unknown>;
  if (b.dynamic !== undefined) mapping.dynamic = String(b.dynamic) as IndexMapping["dynamic"];
  if (b.properties) applyProperties(mapping, b.properties as Record<string, unknown>, "", "$", delta);
}

function applyProperties(
  mapping: IndexMapping,
  props: Record<string, unknown>,
  prefix: string,
  jsonPath: string,
  delta: MappingDelta,
): void {
  for (const [key, raw] of Object.entries(props)) {
    const def = (raw ?? {}) as Record<string, unknown>;
    const name = prefix ? `${prefix}.${key}` : key;
    const path = `${jsonPath}.${quoteKey(key)}`;
    const esType = String(def.type ?? (def.properties ? "object" : "object"));
    const type = esTypeStorage[esType];
    if (!type)
      throw new MappingError(
        "mapper_parsing_exception",
        `No handler for type [${esType}] declared on field [${key}]`,
      );
    const existing = mapping.fields[name];
    if (existing && existing.type !== type)
      throw new MappingError(
        "illegal_argument_exception",
        `mapper [${name}] cannot be changed from type [${existing.esType}] to [${esType}]`,
      );
    if (!existing) {
      const field: FieldInfo = { name, type, esType, jsonPath: path, list: false };
      if (typeof def.ignore_above === "number") field.ignoreAbove = def.ignore_above;
      addField(mapping, field, delta);
    }
    if (def.properties)
      applyProperties(mapping, def.properties as Record<string, unknown>, name, path, delta);
    for (const [sub, subRaw] of Object.entries((def.fields ?? {}) as Record<string, unknown>)) {
      const subDef = (subRaw ?? {}) as Record<string, unknown>;
      const subType = esTypeStorage[String(subDef.type)];
      if (!subType || subType === "object")
        throw new MappingError(
          "mapper_parsing_exception",
          `No handler for type [${String(subDef.type)}] declared on field [${sub}]`,
        );
      if (mapping.fields[`${name}.${sub}`]) continue;
      const field: FieldInfo = {
        name: `${name}.${sub}`,
        type: subType,
        esType: String(subDef.type),
        jsonPath: path,
        list: false,
        parent: name,
      };
      if (typeof subDef.ignore_above === "number") field.ignoreAbove = subDef.ignore_above;
      addField(mapping, field, delta);
    }
  }
}
