// Field references (`[a][b]`, `a`, `[a][0]`) parsed once and cached, and the get/set/remove walks they drive
// over an event's value tree (plain objects and arrays; arrays are indexed by integers, negative from the end).

import { limits } from "../../common/limits.js";
import { parseFieldReference } from "../config/index.js";
import { Timestamp } from "./timestamp.js";
import type { FieldMap, FieldValue } from "./value.js";

/** A field reference that is malformed, or a set through a value that cannot hold children. */
export class FieldReferenceError extends Error {
  override name = "FieldReferenceError";
}

const cache = new Map<string, readonly string[] | FieldReferenceError>();

/** The path of a reference: `[a][b]` → ["a", "b"]. Throws FieldReferenceError when malformed. */
export function fieldPath(reference: string): readonly string[] {
  const parsed = tryFieldPath(reference);
  if (parsed instanceof FieldReferenceError) throw parsed;
  return parsed;
}

/** As fieldPath, returning the error instead of throwing (templates use this). */
export function tryFieldPath(reference: string): readonly string[] | FieldReferenceError {
  const cached = cache.get(reference);
  if (cached !== undefined) return cached;
  const result = parseFieldReference(reference);
  const parsed = "path" in result ? Object.freeze(result.path) : new FieldReferenceError(result.error);
  if (cache.size < limits.fieldReferenceCacheEntriesMax) cache.set(reference, parsed);
  return parsed;
}

export function getPath(root: FieldMap, path: readonly string[]): FieldValue | undefined {
  if (path.length === 1) {
    // The common case, a top-level field, without the general walk.
    const key = path[0]!;
    return Object.hasOwn(root, key) ? root[key] : undefined;
  }
  let node: FieldValue | undefined = root;
  for (const key of path) {
    node = child(node, key);
    if (node === undefined) return undefined;
  }
  return node;
}

/** Sets the value, creating missing (or null) intermediates as objects, as Logstash does. */
export function setPath(root: FieldMap, path: readonly string[], value: FieldValue): void {
  if (path.length === 1) {
    root[path[0]!] = value;
    return;
  }
  let node: FieldMap | FieldValue[] = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let next = child(node, key);
    if (next === undefined || next === null) {
      next = {};
      storeChild(node, key, next, path);
    }
    if (typeof next !== "object" || next === null || next instanceof Timestamp) {
      throw new FieldReferenceError(
        `cannot set [${path.join("][")}]: [${path.slice(0, i + 1).join("][")}] is neither an object nor an array`,
      );
    }
    node = next as FieldMap | FieldValue[];
  }
  storeChild(node, path[path.length - 1]!, value, path);
}

/** Removes the value and returns it (undefined when it was not there). */
export function removePath(root: FieldMap, path: readonly string[]): FieldValue | undefined {
  const parent = getPath(root, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, key);
    if (index === undefined || index >= parent.length) return undefined;
    return parent.splice(index, 1)[0];
  }
  if (!isMap(parent) || !Object.hasOwn(parent, key)) return undefined;
  const removed = parent[key];
  delete parent[key];
  return removed;
}

/** A field map: an object that is neither an array nor a Timestamp (objects in JS, leaves in the event tree). */
export function isMap(value: FieldValue | undefined): value is FieldMap {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Timestamp)
  );
}

function child(node: FieldValue | undefined, key: string): FieldValue | undefined {
  if (Array.isArray(node)) {
    const index = arrayIndex(node, key);
    return index === undefined ? undefined : node[index];
  }
  if (isMap(node) && Object.hasOwn(node, key)) return node[key];
  return undefined;
}

function storeChild(
  node: FieldMap | FieldValue[],
  key: string,
  value: FieldValue,
  path: readonly string[],
): void {
  if (!Array.isArray(node)) {
    node[key] = value;
    return;
  }
  const index = arrayIndex(node, key);
  // Writing one past the end appends; further out would leave holes, which JSON-like arrays cannot have.
  if (index === undefined || index > node.length) {
    throw new FieldReferenceError(`cannot set [${path.join("][")}]: \`${key}\` is not an index of the array`);
  }
  node[index] = value;
}

function arrayIndex(array: readonly FieldValue[], key: string): number | undefined {
  if (!/^-?\d+$/.test(key)) return undefined;
  const raw = Number(key);
  const index = raw < 0 ? array.length + raw : raw;
  return index < 0 ? undefined : index;
}
