// The monitoring API's HTTP server (node:http, GET only): routes Logstash's paths to documents rendered from one
// snapshot per request, `?pretty` indents, unknown paths get Logstash's 404 JSON. Binds the first free port of
// a range (Logstash's api.http.port 9600-9700).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { limits } from "../common/limits.js";
import type { Logger } from "../common/logger.js";
import { header, nodeInfoSections, nodeStatsSections, pluginsJson, type RenderContext } from "./documents.js";
import { healthReport } from "./health.js";
import { ProcessSampler } from "./process-stats.js";
import { prometheusText } from "./prometheus.js";
import { takeSnapshot } from "./snapshot.js";
import type { MonitoringSource } from "./source.js";

export const defaultApiHost = "127.0.0.1";
export const defaultApiPorts = "9600-9700";

export interface MonitoringApiOptions {
  /** api.http.host; default 127.0.0.1. */
  host?: string;
  /** api.http.port: a port, or a range "9600-9700" whose first free port is used; 0 picks any free port. */
  port?: number | string;
  logger: Logger;
  source: MonitoringSource;
}

export interface MonitoringApi {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown } | { status: number; text: string; contentType: string };

export async function startMonitoringApi(options: MonitoringApiOptions): Promise<MonitoringApi> {
  const host = options.host ?? defaultApiHost;
  const [first, last] = parsePortRange(options.port ?? defaultApiPorts);
  const sampler = new ProcessSampler();
  let address = "";
  const server = createServer((req, res) => {
    respond(req, res, () => route(req, { source: options.source, sampler, address }), options.logger);
  });
  server.maxConnections = limits.monitoringApiConnectionsMax;
  let port: number;
  try {
    port = await listenOnFirstFree(server, host, first, last);
  } catch (err) {
    sampler.close();
    throw err;
  }
  address = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  options.logger.info("monitoring API listening", { address: `http://${address}` });
  return {
    host,
    port,
    close: async () => {
      sampler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `9600`, `"9600"` or `"9600-9700"` as an inclusive range. */
export function parsePortRange(port: number | string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(String(port).trim());
  const first = m ? Number(m[1]) : Number.NaN;
  const last = m?.[2] !== undefined ? Number(m[2]) : first;
  if (!(first >= 0 && last >= first && last <= 65535))
    throw new Error(`api.http.port must be a port or a range like 9600-9700, got "${port}"`);
  return [first, last];
}

async function listenOnFirstFree(server: Server, host: string, first: number, last: number): Promise<number> {
  for (let port = first; port <= last; port++) {
    const outcome = await new Promise<number | NodeJS.ErrnoException>((resolve) => {
      const onError = (err: NodeJS.ErrnoException) => resolve(err);
      server.once("error", onError);
      server.listen(port, host, () => {
        server.off("error", onError);
        const bound = server.address();
        resolve(typeof bound === "object" && bound !== null ? bound.port : port);
      });
    });
    if (typeof outcome === "number") return outcome;
    if (outcome.code !== "EADDRINUSE") throw outcome;
  }
  throw new Error(`the monitoring API found no free port in ${first}-${last} on ${host}`);
}

function respond(req: IncomingMessage, res: ServerResponse, answer: () => Answer, logger: Logger): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const pretty = url.searchParams.has("pretty") && url.searchParams.get("pretty") !== "false";
  let result: Answer;
  try {
    result = answer();
  } catch (err) {
    logger.error("monitoring API request failed", { path: url.pathname, error: err });
    result = errorAnswer(500, url.pathname, err instanceof Error ? err.message : String(err));
  }
  if ("text" in result) {
    res.writeHead(result.status, { "content-type": result.contentType });
    res.end(req.method === "HEAD" ? undefined : result.text);
    return;
  }
  const body = `${JSON.stringify(result.body, null, pretty ? 2 : undefined)}\n`;
  res.writeHead(result.status, { "content-type": "application/json" });
  res.end(req.method === "HEAD" ? undefined : body);
}

function errorAnswer(status: number, path: string, message: string): Answer {
  return { status, body: { path, status, error: { message } } };
}

interface RouteContext {
  source: MonitoringSource;
  sampler: ProcessSampler;
  address: string;
}

function route(req: IncomingMessage, rc: RouteContext): Answer {
  const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
  if (req.method !== "GET" && req.method !== "HEAD") return errorAnswer(405, path, "Method Not Allowed");
  const snapshot = takeSnapshot(rc.source, rc.sampler);
  const health = healthReport(snapshot);
  const ctx: RenderContext = { source: rc.source, snapshot, httpAddress: rc.address, status: health.status };
  const notFound = errorAnswer(404, path, "Not Found");
  const parts = path
    .split("/")
    .filter((p) => p.length > 0)
    .map(decodeURIComponent);
  const ok = (extra: Record<string, unknown>): Answer => ({
    status: 200,
    body: { ...header(ctx), ...extra },
  });

  if (path === "/") return ok({});
  if (path === "/metrics")
    return {
      status: 200,
      text: prometheusText(snapshot),
      contentType: "text/plain; version=0.0.4; charset=utf-8",
    };
  if (path === "/_health_report") return ok({ ...health });
  if (parts[0] !== "_node") return notFound;
  if (parts.length === 1) return ok(renderSections(nodeInfoSections, Object.keys(nodeInfoSections), ctx));
  if (parts[1] === "plugins" && parts.length === 2) return ok(pluginsJson(rc.source));
  if (parts[1] === "stats") {
    if (parts.length === 2) return ok(renderSections(nodeStatsSections, Object.keys(nodeStatsSections), ctx));
    return sectionAnswer(nodeStatsSections, parts.slice(2), ctx, ok) ?? notFound;
  }
  return sectionAnswer(nodeInfoSections, parts.slice(1), ctx, ok) ?? notFound;
}

type Sections = Record<string, (ctx: RenderContext, pipelineId?: string) => unknown>;

/** `/x,y` (comma lists, as Logstash accepts) or `/pipelines/{id}`; undefined means 404. */
function sectionAnswer(
  sections: Sections,
  rest: string[],
  ctx: RenderContext,
  ok: (extra: Record<string, unknown>) => Answer,
): Answer | undefined {
  if (rest.length === 2 && rest[0] === "pipelines") {
    const id = rest[1]!;
    if (!ctx.snapshot.pipelines.some((p) => p.id === id)) return undefined;
    return ok({ pipelines: sections.pipelines!(ctx, id) });
  }
  if (rest.length !== 1) return undefined;
  const names = rest[0]!.split(",");
  if (!names.every((n) => Object.hasOwn(sections, n))) return undefined;
  return ok(renderSections(sections, names, ctx));
}

function renderSections(sections: Sections, names: string[], ctx: RenderContext): Record<string, unknown> {
  return Object.fromEntries(names.map((n) => [n, sections[n]!(ctx)]));
}
