// Problems found in a configuration, each pinned to file:line:column, and their compiler-style rendering:
// `file:line:column: error: message`, the source line, a caret under the column, then the hint.

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier for tests and tooling, e.g. `syntax`, `unclosed-brace`, `env-undefined`. */
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  hint?: string;
}

/** Source texts by file name, so the formatter can quote the offending line. */
export type SourceLookup = (file: string) => string | undefined;

/** One diagnostic as the user sees it. Tabs before the column are kept so the caret lines up in a terminal. */
export function formatDiagnostic(d: Diagnostic, lookup: SourceLookup): string {
  const lines = [`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`];
  const source = lookup(d.file);
  const sourceLine = source === undefined ? undefined : lineAt(source, d.line);
  if (sourceLine !== undefined) {
    const gutter = `${String(d.line).padStart(4)} | `;
    lines.push(`${gutter}${sourceLine}`);
    const lead = sourceLine.slice(0, Math.max(0, d.column - 1)).replace(/[^\t]/g, " ");
    lines.push(`${" ".repeat(gutter.length - 2)}| ${lead}^`);
  }
  if (d.hint !== undefined) lines.push(`  hint: ${d.hint}`);
  return lines.join("\n");
}

export function formatDiagnostics(ds: readonly Diagnostic[], lookup: SourceLookup): string {
  return ds.map((d) => formatDiagnostic(d, lookup)).join("\n\n");
}

/** The text of 1-based line `line`, without its line terminator; undefined past the end. */
export function lineAt(text: string, line: number): string | undefined {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const nl = text.indexOf("\n", start);
  const raw = text.slice(start, nl < 0 ? text.length : nl);
  return raw.endsWith("\r") ? raw.slice(0, -1) : raw;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === "error");
}
