// The Elasticsearch REST endpoints Sluice answers: one table of (method, path pattern, handler).

import type { IncomingMessage } from "node:http";
import { renderMapping } from "../store/mapping.js";
import type { Store } from "../store/store.js";
import { itemResponse, parseBulk, runBulk } from "./bulk.js";
import { catColumns, catText, clusterHealth, clusterName, healthRow, indexRows } from "./cat.js";
import { badRequest, EsError, errorBody, toEsError } from "./errors.js";
import { parseJsonBody } from "./http.js";
import { indexNotFound, resolveIndices } from "./indices.js";
import { count, search } from "./search.js";
import { filterSource, parseSourceFilter } from "./source-filter.js";
import { sqlReply } from "./sql.js";

type Obj = Record<string, unknown>;

export interface Request {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  raw: IncomingMessage;
  text(): Promise<string>;
  json(): Promise<Obj>;
}

export interface Reply {
  status: number;
  body: unknown;
}

type Handler = (store: Store, req: Request) => Promise<Reply>;

export const esVersion = "8.17.0";
const ok = (body: unknown, status = 200): Reply => ({ status, body });

interface Route {
  methods: string[];
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

const routes: Route[] = [];
function route(methods: string, path: string, handler: Handler): void {
  const names: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ methods: methods.split(","), pattern: new RegExp(`^${source}/?$`), names, handler });
}

export function findRoute(
  method: string,
  path: string,
): { handler: Handler; params: Record<string, string> } | null {
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    if (!r.methods.includes(method) && !(method === "HEAD" && r.methods.includes("GET"))) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] as string);
    });
    return { handler: r.handler, params };
  }
  return null;
}

// ---- cluster and product ----

route("GET", "/", async () =>
  ok({
    name: "sluice",
    cluster_name: clusterName,
    cluster_uuid: "sluice-embedded-store-0001",
    version: {
      number: esVersion,
      build_flavor: "default",
      build_type: "tar",
      build_hash: "sluice",
      build_date: "2024-12-11T12:08:05.663969764Z",
      build_snapshot: false,
      lucene_version: "9.12.0",
      minimum_wire_compatibility_version: "7.17.0",
      minimum_index_compatibility_version: "7.0.0",
    },
    tagline: "You Know, for Search",
  }),
);
route("GET", "/_license", async () =>
  ok({
    license: {
      status: "active",
      uid: "sluice",
      type: "basic",
      issue_date_in_millis: 0,
      max_nodes: 1000,
      issued_to: clusterName,
      issuer: "elasticsearch",
      start_date_in_millis: -1,
    },
  }),
);
route("GET", "/_xpack", async () =>
  ok({
    build: { hash: "sluice", date: "2024-12-11T12:08:05.663969764Z" },
    license: { uid: "sluice", type: "basic", mode: "basic", status: "active" },
    features: { ilm: { available: true, enabled: true }, security: { available: false, enabled: false } },
    tagline: "You know, for X",
  }),
);
route("GET", "/_cluster/health", async (store) => ok(clusterHealth(store)));
route("GET", "/_cluster/health/{index}", async (store, req) => {
  resolveIndices(store, req.params.index);
  return ok(clusterHealth(store));
});
route("GET", "/_nodes", async () =>
  ok({
    _nodes: { total: 1, successful: 1, failed: 0 },
    cluster_name: clusterName,
    nodes: {
      sluice: {
        name: "sluice",
        version: esVersion,
        roles: ["master", "data", "ingest"],
        http: { publish_address: "127.0.0.1:9200" },
      },
    },
  }),
);
route("GET", "/_cat/health", async (store, req) => cat(req, [healthRow(store)]));
route("GET", "/_cat/indices", async (store, req) => cat(req, await indexRows(store, undefined)));
route("GET", "/_cat/indices/{index}", async (store, req) =>
  cat(req, await indexRows(store, req.params.index)),
);

function cat(req: Request, rows: Record<string, string>[]): Reply {
  const all = Object.keys(rows[0] ?? {});
  const columns = catColumns(all, req.query.get("h"));
  const sorted = req.query.get("s")
    ? [...rows].sort((a, b) =>
        (a[req.query.get("s") as string] ?? "").localeCompare(b[req.query.get("s") as string] ?? ""),
      )
    : rows;
  if (req.query.get("format") === "json")
    return ok(sorted.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))));
  return ok(catText(sorted, columns, req.query.has("v")));
}

// ---- templates and ILM (stored so that outputs that install them proceed) ----

for (const [path, kind, wrapper] of [
  ["/_index_template", "composable", "index_templates"],
  ["/_template", "legacy", ""],
  ["/_component_template", "component", "component_templates"],
  ["/_ilm/policy", "ilm", ""],
] as const) {
  route("PUT,POST", `${path}/{name}`, async (store, req) => {
    await store.putTemplate(kind, req.params.name as string, await req.json());
    return ok({ acknowledged: true });
  });
  route("GET", `${path}/{name}`, async (store, req) => {
    const found = [...store.getTemplates(kind)].filter(([n]) => globMatchAny(req.params.name as string, n));
    if (found.length === 0) {
      if (kind === "legacy") return ok({}, 404);
      const type = kind === "ilm" ? "resource_not_found_exception" : "resource_not_found_exception";
      throw new EsError(
        404,
        type,
        `${kind === "ilm" ? "Lifecycle policy" : "index template matching"} [${req.params.name}] not found`,
      );
    }
    return ok(renderTemplates(kind, wrapper, found));
  });
  route("GET", path, async (store) => ok(renderTemplates(kind, wrapper, [...store.getTemplates(kind)])));
  route("DELETE", `${path}/{name}`, async (store, req) => {
    if (!(await store.deleteTemplate(kind, req.params.name as string)))
      throw new EsError(404, "resource_not_found_exception", `${kind} template [${req.params.name}] missing`);
    return ok({ acknowledged: true });
  });
}

function globMatchAny(spec: string, name: string): boolean {
  return spec.split(",").some((p) =>
    new RegExp(
      `^${p
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    ).test(name),
  );
}

function renderTemplates(kind: string, wrapper: string, found: [string, Obj][]): unknown {
  if (kind === "ilm")
    return Object.fromEntries(
      found.map(([n, b]) => [n, { version: 1, modified_date: new Date(0).toISOString(), ...b }]),
    );
  if (kind === "legacy") return Object.fromEntries(found);
  const key = kind === "composable" ? "index_template" : "component_template";
  return { [wrapper]: found.map(([name, body]) => ({ name, [key]: body })) };
}

// ---- documents ----

async function writeOne(
  store: Store,
  req: Request,
  action: "index" | "create",
  id: string | undefined,
): Promise<Reply> {
  const text = await req.text();
  const source = parseJsonBody(text);
  const opType = req.query.get("op_type");
  const op = {
    action: opType === "create" ? ("create" as const) : action,
    index: req.params.index as string,
    source,
    sourceText: text.trim(),
  };
  const ifSeq = req.query.get("if_seq_no");
  const result = (
    await store.write([
      {
        ...op,
        ...(id !== undefined ? { id } : {}),
        ...(ifSeq !== null
          ? { ifSeqNo: Number(ifSeq), ifPrimaryTerm: Number(req.query.get("if_primary_term") ?? 1) }
          : {}),
      },
    ])
  )[0];
  return docReply(store, result as NonNullable<typeof result>);
}

function docReply(store: Store, r: Parameters<typeof itemResponse>[1]): Reply {
  if (r.error)
    throw new EsError(r.status, r.error.type, r.error.reason, {
      index_uuid: store.index(r.index)?.uuid ?? "_na_",
      shard: "0",
      index: r.index,
    });
  const { status, ...body } = itemResponse(store, r);
  return ok(body, Number(status));
}

route("POST", "/{index}/_doc", async (store, req) => writeOne(store, req, "index", undefined));
route("PUT,POST", "/{index}/_doc/{id}", async (store, req) => writeOne(store, req, "index", req.params.id));
route("PUT,POST", "/{index}/_create/{id}", async (store, req) =>
  writeOne(store, req, "create", req.params.id),
);
route("GET", "/{index}/_doc/{id}", async (store, req) => {
  const index = req.params.index as string;
  const doc = await store.getDoc(index, req.params.id as string);
  if (!doc) return ok({ _index: index, _id: req.params.id, found: false }, 404);
  const filter = parseSourceFilter(
    req.query.get("_source") === "false" ? false : req.query.get("_source")?.split(","),
  );
  const out: Obj = {
    _index: index,
    _id: req.params.id,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: 1,
    found: true,
  };
  if (filter.enabled) out._source = filterSource(JSON.parse(doc.source), filter);
  return ok(out);
});
route("GET", "/{index}/_source/{id}", async (store, req) => {
  const doc = await store.getDoc(req.params.index as string, req.params.id as string);
  if (!doc)
    throw new EsError(
      404,
      "resource_not_found_exception",
      `Document not found [${req.params.index}]/[${req.params.id}]`,
    );
  return ok(JSON.parse(doc.source));
});
route("DELETE", "/{index}/_doc/{id}", async (store, req) => {
  store.requireIndex(req.params.index as string);
  const r = (
    await store.write([{ action: "delete", index: req.params.index as string, id: req.params.id as string }])
  )[0];
  return docReply(store, r as NonNullable<typeof r>);
});
route("POST", "/{index}/_update/{id}", async (store, req) => {
  const body = await req.json();
  if (body.script !== undefined) throw badRequest("scripted updates are not supported by the sluice store");
  const op = {
    action: "update" as const,
    index: req.params.index as string,
    id: req.params.id as string,
    source: (body.doc ?? {}) as Obj,
    docAsUpsert: body.doc_as_upsert === true,
    ...(body.upsert ? { upsert: body.upsert as Obj } : {}),
  };
  const r = (await store.write([op]))[0];
  return docReply(store, r as NonNullable<typeof r>);
});

// ---- bulk, search, count ----

const bulk: Handler = async (store, req) =>
  ok(await runBulk(store, parseBulk(await req.text(), req.params.index)));
route("POST,PUT", "/_bulk", bulk);
route("POST,PUT", "/{index}/_bulk", bulk);

const searchHandler: Handler = async (store, req) =>
  ok(await search(store, { index: req.params.index, body: await req.json(), query: req.query }));
route("GET,POST", "/_sql", async (store, req) => ok(await sqlReply(store, await req.json(), req.query)));

route("GET,POST", "/_search", searchHandler);
route("GET,POST", "/{index}/_search", searchHandler);
const countHandler: Handler = async (store, req) =>
  ok(await count(store, { index: req.params.index, body: await req.json(), query: req.query }));
route("GET,POST", "/_count", countHandler);
route("GET,POST", "/{index}/_count", countHandler);

const msearch: Handler = async (store, req) => {
  const lines = (await req.text())
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const started = Date.now();
  const responses: unknown[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    try {
      const header = JSON.parse(lines[i] as string) as Obj;
      const body = JSON.parse(lines[i + 1] ?? "{}") as Obj;
      const index = header.index === undefined ? req.params.index : [header.index].flat().join(",");
      responses.push({
        ...(await search(store, { index, body, query: new URLSearchParams() })),
        status: 200,
      });
    } catch (e) {
      const err = toEsError(e);
      responses.push(errorBody(err));
    }
  }
  return ok({ took: Date.now() - started, responses });
};
route("GET,POST", "/_msearch", msearch);
route("GET,POST", "/{index}/_msearch", msearch);

const refresh: Handler = async (store, req) => {
  const n = req.params.index ? resolveIndices(store, req.params.index).length : store.indices.size;
  return ok({ _shards: { total: n, successful: n, failed: 0 } });
};
route("GET,POST", "/_refresh", refresh);
route("GET,POST", "/{index}/_refresh", refresh);
route("GET,POST", "/_flush", refresh);
route("GET,POST", "/{index}/_flush", refresh);

// ---- mappings, field caps ----

const getMapping: Handler = async (store, req) =>
  ok(
    Object.fromEntries(
      resolveIndices(store, req.params.index).map((s) => [s.name, { mappings: renderMapping(s.mapping) }]),
    ),
  );
route("GET", "/_mapping", getMapping);
route("GET", "/{index}/_mapping", getMapping);
route("PUT,POST", "/{index}/_mapping", async (store, req) => {
  const body = await req.json();
  for (const s of resolveIndices(store, req.params.index)) await store.putMapping(s.name, body);
  return ok({ acknowledged: true });
});
route("GET", "/{index}/_settings", async (store, req) =>
  ok(
    Object.fromEntries(
      resolveIndices(store, req.params.index).map((s) => [
        s.name,
        {
          settings: {
            index: {
              number_of_shards: "1",
              number_of_replicas: "0",
              uuid: s.uuid,
              provided_name: s.name,
              creation_date: String(s.createdMs),
              ...stripIndexPrefix(s.settings),
            },
          },
        },
      ]),
    ),
  ),
);

function stripIndexPrefix(settings: Obj): Obj {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k.replace(/^index\./, ""), String(v)]));
}

const fieldCaps: Handler = async (store, req) => {
  const wanted = (req.query.get("fields") ?? String((await req.json()).fields ?? "*")).split(",");
  const indices = resolveIndices(store, req.params.index, true);
  const fields: Record<string, Record<string, Obj>> = {};
  for (const s of indices)
    for (const f of Object.values(s.mapping.fields)) {
      if (!wanted.some((w) => globMatchAny(w, f.name))) continue;
      const caps = fields[f.name] ?? {};
      fields[f.name] = caps;
      const entry = caps[f.esType] ?? {
        type: f.esType,
        metadata_field: false,
        searchable: true,
        aggregatable: f.type !== "text" && f.type !== "object",
        indices: [] as string[],
      };
      caps[f.esType] = entry;
      (entry.indices as string[]).push(s.name);
    }
  for (const caps of Object.values(fields))
    for (const entry of Object.values(caps))
      if ((entry.indices as string[]).length === indices.length) delete entry.indices;
  return ok({ indices: indices.map((s) => s.name), fields });
};
route("GET,POST", "/_field_caps", fieldCaps);
route("GET,POST", "/{index}/_field_caps", fieldCaps);

// ---- indices ----

route("PUT", "/{index}", async (store, req) => {
  const name = req.params.index as string;
  await store.createIndex(name, await req.json());
  return ok({ acknowledged: true, shards_acknowledged: true, index: name });
});
route("DELETE", "/{index}", async (store, req) => {
  const targets = resolveIndices(store, req.params.index, req.query.get("ignore_unavailable") === "true");
  for (const s of targets) await store.deleteIndex(s.name);
  return ok({ acknowledged: true });
});
route("GET", "/{index}", async (store, req) => {
  const found = resolveIndices(store, req.params.index);
  if (req.method === "HEAD" && found.length === 0) throw indexNotFound(req.params.index as string);
  return ok(
    Object.fromEntries(
      found.map((s) => [
        s.name,
        {
          aliases: s.aliases,
          mappings: renderMapping(s.mapping),
          settings: {
            index: {
              number_of_shards: "1",
              number_of_replicas: "0",
              uuid: s.uuid,
              provided_name: s.name,
              creation_date: String(s.createdMs),
              ...stripIndexPrefix(s.settings),
            },
          },
        },
      ]),
    ),
  );
});
