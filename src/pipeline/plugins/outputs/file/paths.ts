// Where the file output may write: the configured path's static prefix (its "file root") bounds every path an
// event's fields produce, the way Logstash's file output guards against `%{field}` holding `../..`.

import { dirname, join, resolve, sep } from "node:path";

const fieldReference = /%\{[^}]+\}/;

export interface PathPlan {
  /** The configured path made absolute (relative paths are taken from the working directory). */
  template: string;
  /** True when the path holds `%{...}`: only then are generated paths checked against the root. */
  dynamic: boolean;
  /** The directory every generated path must stay below. */
  root: string;
  /** Where events go whose path escapes the root (or whose file was deleted, without create_if_deleted). */
  failurePath: string;
}

/** Checks and plans the `path` option; throws for a path Logstash refuses at register time. */
export function planPaths(path: string, filenameFailure: string): PathPlan {
  const template = resolve(path);
  const firstPart = template.split(sep).find((part) => part !== "");
  if (firstPart !== undefined && fieldReference.test(firstPart))
    throw new Error(`the starting part of the path should not be dynamic: ${path}`);
  const dynamic = fieldReference.test(path);
  const root = dynamic ? staticPrefix(template) : dirname(template);
  return { template, dynamic, root, failurePath: join(root, filenameFailure) };
}

/** The leading directories of `template` before the first one holding a field reference. */
function staticPrefix(template: string): string {
  const parts = template.split(sep);
  const firstDynamic = parts.findIndex((part) => fieldReference.test(part));
  return parts.slice(0, firstDynamic).join(sep);
}

/** True when `generated` (after `..` and `.` are resolved) lies strictly inside `root`. */
export function insideRoot(generated: string, root: string): boolean {
  return resolve(generated).startsWith(`${root}${sep}`);
}
