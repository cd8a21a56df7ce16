// Reads logstash-filter-verifier test-case files (JSON or YAML) into one flat list of inputs and expected events
// per file, as LFV does: global `fields` merged under each case's own, `[a][b]` keys expanded, a case without
// `input` fed one event without a message, `@version` always ignored.

import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { limits } from "../../common/limits.js";
import { parseYaml, YamlError } from "./yaml.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A problem with a test-case file, with where it is (line 1, column 1 when only the file is known). */
export class TestCaseError extends Error {
  override name = "TestCaseError";
  constructor(
    message: string,
    readonly file: string,
    readonly line = 1,
    readonly column = 1,
  ) {
    super(message);
  }
}

/** One input to feed: a line for the input's codec, or none (LFV's dummy event), and the fields to set on it. */
export interface TestInput {
  line: string | undefined;
  fields: JsonObject;
}

export interface TestCaseSet {
  file: string;
  /** The `id` of the input the events come in through. */
  inputPlugin: string | undefined;
  /** LFV 1's `codec`; LFV 2 (and Sluice) decode with the tested input's own codec. */
  codec: string;
  ignore: string[];
  exportMetadata: boolean;
  exportOutputs: boolean;
  inputs: TestInput[];
  expected: JsonObject[];
  /** The description of the case each expected event belongs to ("" when none). */
  descriptions: string[];
}

const knownTopKeys = new Set([
  "input_plugin",
  "codec",
  "ignore",
  "fields",
  "input",
  "expected",
  "export_metadata",
  "export_outputs",
  "testcases",
]);
const knownCaseKeys = new Set(["input", "fields", "event", "expected", "description", "expected_outputs"]);

/** The test-case files a path names: the file itself, or a directory's .json/.yml/.yaml files, in name order. */
export async function findTestCaseFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new TestCaseError(`no such file or directory: ${path}`, path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(json|ya?ml)$/i.test(e.name))
    .map((e) => join(path, e.name))
    .sort();
}

export async function loadTestCaseFile(file: string): Promise<TestCaseSet> {
  const info = await stat(file).catch(() => undefined);
  if (info !== undefined && info.size > limits.verifierTestCaseFileBytesMax) {
    throw new TestCaseError(`larger than ${limits.verifierTestCaseFileBytesMax} bytes`, file);
  }
  const text = await readFile(file, "utf8").catch((err: Error) => {
    throw new TestCaseError(`cannot read: ${err.message}`, file);
  });
  return parseTestCaseSet(text, file);
}

export function parseTestCaseSet(text: string, file: string): TestCaseSet {
  const data = parseDocument(text, file);
  if (!isObject(data)) throw new TestCaseError("a test-case file must hold a mapping (an object)", file);
  const check = new Checker(file);
  for (const key of Object.keys(data)) {
    if (!knownTopKeys.has(key)) throw new TestCaseError(`unknown key \`${key}\``, file);
  }
  const globalFields = expandBrackets(check.object(data.fields, "fields"));
  const set: TestCaseSet = {
    file,
    inputPlugin: check.optionalString(data.input_plugin, "input_plugin"),
    codec: check.optionalString(data.codec, "codec") ?? "line",
    ignore: [...check.strings(data.ignore, "ignore"), "@version"].sort(),
    exportMetadata: check.boolean(data.export_metadata, "export_metadata"),
    exportOutputs: check.boolean(data.export_outputs, "export_outputs"),
    inputs: [],
    expected: [],
    descriptions: [],
  };
  // LFV 1's top-level `input`/`expected` still count, before the cases.
  for (const line of check.strings(data.input, "input"))
    set.inputs.push({ line, fields: { ...globalFields } });
  for (const event of check.objects(data.expected, "expected")) {
    set.expected.push(expandBrackets(event));
    set.descriptions.push("");
  }
  check.list(data.testcases, "testcases").forEach((raw, i) => {
    addCase(set, raw, `testcases[${i}]`, globalFields, check);
  });
  return set;
}

function addCase(set: TestCaseSet, raw: JsonValue, where: string, globalFields: JsonObject, check: Checker) {
  if (!isObject(raw)) throw new TestCaseError(`${where} must be a mapping`, set.file);
  for (const key of Object.keys(raw)) {
    if (!knownCaseKeys.has(key)) throw new TestCaseError(`unknown key \`${key}\` in ${where}`, set.file);
  }
  const own = expandBrackets({
    ...check.object(raw.event, `${where}.event`),
    ...check.object(raw.fields, `${where}.fields`),
  });
  const lines = check.strings(raw.input, `${where}.input`);
  const fed: Array<string | undefined> = lines.length > 0 ? lines : [undefined];
  for (const line of fed) set.inputs.push({ line, fields: { ...globalFields, ...own } });
  const description = check.optionalString(raw.description, `${where}.description`) ?? "";
  for (const event of check.objects(raw.expected, `${where}.expected`)) {
    set.expected.push(expandBrackets(event));
    set.descriptions.push(description);
  }
}

function parseDocument(text: string, file: string): JsonValue {
  const ext = extname(file).toLowerCase();
  if (ext === ".yml" || ext === ".yaml") {
    try {
      return parseYaml(text) as JsonValue;
    } catch (err) {
      if (err instanceof YamlError) throw new TestCaseError(err.message, file, err.line, err.column);
      throw err;
    }
  }
  if (ext !== ".json") throw new TestCaseError("a test-case file must end in .json, .yml or .yaml", file);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    const { line, column } = jsonErrorPosition(text, (err as Error).message);
    throw new TestCaseError(`invalid JSON: ${(err as Error).message}`, file, line, column);
  }
}

function jsonErrorPosition(text: string, message: string): { line: number; column: number } {
  const at = /position (\d+)/.exec(message);
  if (at === null) return { line: 1, column: 1 };
  const before = text.slice(0, Number(at[1]));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** LFV turns keys like `[log][file][path]` into nested objects, at every level. */
export function expandBrackets(object: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    const expanded = isObject(value) ? expandBrackets(value) : value;
    const path = /^(\[[^[\]]+\])+$/.test(key) ? key.slice(1, -1).split("][") : [key];
    let node = out;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      const child: JsonObject = isObject(next) ? next : {};
      node[part] = child;
      node = child;
    }
    const last = path[path.length - 1]!;
    const existing = node[last];
    node[last] = isObject(existing) && isObject(expanded) ? { ...existing, ...expanded } : expanded;
  }
  return out;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Type checks for the file's keys; a wrong type is a TestCaseError naming the key. */
class Checker {
  constructor(private readonly file: string) {}

  private fail(where: string, expected: string): never {
    throw new TestCaseError(`${where} must be ${expected}`, this.file);
  }

  object(value: JsonValue | undefined, where: string): JsonObject {
    if (value === undefined || value === null) return {};
    return isObject(value) ? value : this.fail(where, "a mapping");
  }

  list(value: JsonValue | undefined, where: string): JsonValue[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : this.fail(where, "a list");
  }

  strings(value: JsonValue | undefined, where: string): string[] {
    return this.list(value, where).map((item) =>
      typeof item === "string" ? item : this.fail(where, "a list of strings"),
    );
  }

  objects(value: JsonValue | undefined, where: string): JsonObject[] {
    return this.list(value, where).map((item) =>
      isObject(item) ? item : this.fail(where, "a list of mappings"),
    );
  }

  optionalString(value: JsonValue | undefined, where: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : this.fail(where, "a string");
  }

  boolean(value: JsonValue | undefined, where: string): boolean {
    if (value === undefined || value === null) return false;
    return typeof value === "boolean" ? value : this.fail(where, "true or false");
  }
}
