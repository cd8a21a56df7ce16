// Reads a Logstash settings file (logstash.yml, pipelines.yml) with the `yaml` package and flattens each mapping
// into dotted keys (`pipeline: {workers: 2}` is `pipeline.workers: 2`, as Logstash reads it), each with its
// line and column so a bad setting is reported where it was written.

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { Diagnostic } from "../config/index.js";
import { substituteVariables } from "../config/substitute.js";

export interface SettingEntry {
  key: string;
  value: unknown;
  line: number;
  column: number;
}

export type YamlSettings =
  | { shape: "empty" }
  | { shape: "map"; entries: SettingEntry[] }
  | { shape: "list"; items: Array<{ entries: SettingEntry[] | undefined; line: number; column: number }> }
  | { shape: "other"; line: number; column: number };

export interface ParsedYaml {
  settings: YamlSettings;
  diagnostics: Diagnostic[];
}

/** Parses `text`; `${VAR}`/`${VAR:default}` in string values are replaced from `env`, as Logstash does. */
export function parseYamlSettings(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const diagnostics: Diagnostic[] = [];
  const at = (node: Node | null | undefined) => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    return { line: pos.line, column: pos.col };
  };
  for (const error of doc.errors) {
    const pos = lines.linePos(error.pos[0]);
    diagnostics.push(diag(file, pos.line, pos.col, "yaml-syntax", error.message.split("\n")[0]!));
  }
  if (diagnostics.length > 0) return { settings: { shape: "empty" }, diagnostics };
  const flatten = (node: Node): SettingEntry[] => {
    const entries: SettingEntry[] = [];
    walk(node, "", entries, at, (entry) => substitute(entry, env, file, diagnostics));
    return entries;
  };
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === "")))
    return { settings: { shape: "empty" }, diagnostics };
  if (isMap(root)) return { settings: { shape: "map", entries: flatten(root) }, diagnostics };
  if (isSeq(root)) {
    const items = root.items.map((item) => ({
      entries: isMap(item) ? flatten(item as Node) : undefined,
      ...at(item as Node),
    }));
    return { settings: { shape: "list", items }, diagnostics };
  }
  return { settings: { shape: "other", ...at(root) }, diagnostics };
}

function walk(
  node: Node,
  prefix: string,
  out: SettingEntry[],
  at: (node: Node | null | undefined) => { line: number; column: number },
  onEntry: (entry: SettingEntry) => void,
): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    const name = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const key = prefix === "" ? name : `${prefix}.${name}`;
    const valueNode = pair.value as Node | null;
    if (isMap(valueNode)) {
      walk(valueNode, key, out, at, onEntry);
      continue;
    }
    const entry = { key, value: valueNode?.toJSON() ?? null, ...at(keyNode) };
    onEntry(entry);
    out.push(entry);
  }
}

function substitute(
  entry: SettingEntry,
  env: Readonly<Record<string, string | undefined>>,
  file: string,
  diagnostics: Diagnostic[],
): void {
  if (typeof entry.value !== "string") return;
  const result = substituteVariables(entry.value, env);
  entry.value = result.value;
  for (const missing of result.undefinedVariables)
    diagnostics.push(
      diag(
        file,
        entry.line,
        entry.column,
        "env-undefined",
        `${entry.key}: environment variable \${${missing.name}} is not set and has no default`,
      ),
    );
}

export function diag(
  file: string,
  line: number,
  column: number,
  code: string,
  message: string,
  severity: "error" | "warning" = "error",
  hint?: string,
): Diagnostic {
  const d: Diagnostic = { severity, code, message, file, line, column };
  if (hint !== undefined) d.hint = hint;
  return d;
}
