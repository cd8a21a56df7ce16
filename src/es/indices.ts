// Index expressions (`logs`, `logs-*`, `a,b`, `_all`, `-excluded`) resolved to existing indices.

import { globMatch, type IndexState, type Store } from "../store/store.js";
import { EsError } from "./errors.js";

export function resolveIndices(
  store: Store,
  expr: string | undefined,
  ignoreUnavailable = false,
): IndexState[] {
  const names = [...store.indices.keys()].filter((n) => !n.startsWith("."));
  const parts = (expr ?? "_all")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const chosen = new Set<string>();
  for (const part of parts.length === 0 ? ["_all"] : parts) {
    if (part === "_all" || part === "*") {
      for (const n of names) chosen.add(n);
    } else if (part.startsWith("-") && chosen.size > 0) {
      for (const n of [...chosen]) if (globMatch(part.slice(1), n)) chosen.delete(n);
    } else if (part.includes("*")) {
      for (const n of store.indices.keys())
        if (globMatch(part, n) && (!n.startsWith(".") || part.startsWith("."))) chosen.add(n);
    } else if (store.indices.has(part)) chosen.add(part);
    else if (!ignoreUnavailable) throw indexNotFound(part);
  }
  return [...chosen].sort().map((n) => store.indices.get(n) as IndexState);
}

export function indexNotFound(name: string): EsError {
  return new EsError(404, "index_not_found_exception", `no such index [${name}]`, {
    "resource.type": "index_or_alias",
    "resource.id": name,
    index_uuid: "_na_",
    index: name,
  });
}
