// `_source` filtering of hits: true/false, a pattern, a list of patterns, or {includes, excludes}.

type Obj = Record<string, unknown>;

export interface SourceFilter {
  enabled: boolean;
  includes: RegExp[];
  excludes: RegExp[];
}

const toRegex = (p: string) =>
  new RegExp(
    `^${p
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
const list = (v: unknown): string[] => (v === undefined || v === null ? [] : [v].flat().map(String));

export function parseSourceFilter(spec: unknown): SourceFilter {
  if (spec === false || spec === "false") return { enabled: false, includes: [], excludes: [] };
  if (spec === undefined || spec === true || spec === "true")
    return { enabled: true, includes: [], excludes: [] };
  if (typeof spec === "string" || Array.isArray(spec))
    return { enabled: true, includes: list(spec).map(toRegex), excludes: [] };
  const o = spec as Obj;
  return {
    enabled: true,
    includes: list(o.includes ?? o.include).map(toRegex),
    excludes: list(o.excludes ?? o.exclude).map(toRegex),
  };
}

export function filterSource(source: Obj, filter: SourceFilter): Obj {
  if (filter.includes.length === 0 && filter.excludes.length === 0) return source;
  return filterObject(source, "", filter, false);
}

function filterObject(obj: Obj, prefix: string, filter: SourceFilter, parentIncluded: boolean): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (filter.excludes.some((r) => r.test(path))) continue;
    const included =
      parentIncluded || filter.includes.length === 0 || filter.includes.some((r) => r.test(path));
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const inner =
        included && filter.excludes.length === 0 ? value : filterObject(value as Obj, path, filter, included);
      if (included || Object.keys(inner as Obj).length > 0) out[key] = inner;
    } else if (included) out[key] = value;
  }
  return out;
}
