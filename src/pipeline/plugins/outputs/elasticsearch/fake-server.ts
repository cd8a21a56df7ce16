// Test support: a tiny Elasticsearch stand-in on a real socket that records every request (bodies un-gzipped) and
// answers GET /, templates, ILM and _bulk, with hooks to fail whole requests or single items.

import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface BulkLine {
  action: string;
  meta: Record<string, unknown>;
  source: Record<string, unknown> | undefined;
}

export interface FakeEsOptions {
  version?: string;
  /** Omit the X-Elastic-Product header (a server clients must refuse). */
  noProductHeader?: boolean;
  /** Status of ILM endpoints; 400 means "no handler" (no ILM). */
  ilmStatus?: number;
  /** Statuses of the next bulk requests as a whole (then 200). */
  bulkStatuses?: number[];
  /** The status of each bulk item; 200/201 by default. */
  itemStatus?: (line: BulkLine, attempt: number) => { status: number; type?: string };
  /** Answer every request with this status (e.g. 401). */
  everything?: number;
  /** Bulk requests (the first N) left unanswered, to exercise timeouts. */
  stallBulks?: number;
  /** Serve https with this certificate and key (PEM). */
  tls?: { cert: Buffer; key: Buffer };
}

export class FakeEs {
  readonly requests: RecordedRequest[] = [];
  /** Documents accepted by _bulk, in order. */
  readonly accepted: BulkLine[] = [];
  readonly templates = new Map<string, unknown>();
  private readonly server: Server;
  private attempts = new Map<string, number>();

  private constructor(readonly options: FakeEsOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        let raw = Buffer.concat(chunks);
        if (req.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
        const record = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: raw.toString(),
        };
        this.requests.push(record);
        if (record.url.includes("_bulk") && (this.options.stallBulks ?? 0) > 0) {
          this.options.stallBulks = (this.options.stallBulks ?? 0) - 1;
          return;
        }
        const [status, body] = this.answer(record);
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (!options.noProductHeader) headers["X-Elastic-Product"] = "Elasticsearch";
        res.writeHead(status, headers);
        res.end(req.method === "HEAD" ? undefined : JSON.stringify(body));
      });
    };
    this.server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
  }

  static async start(options: FakeEsOptions = {}): Promise<FakeEs> {
    const fake = new FakeEs(options);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `${this.options.tls ? "https" : "http"}://127.0.0.1:${this.port}`;
  }

  bulkRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url.split("?")[0]!.endsWith("/_bulk"));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: RecordedRequest): [number, unknown] {
    if (this.options.everything !== undefined) return [this.options.everything, { error: "refused" }];
    // "/es" stands for a proxy's path prefix (the `path` option).
    const path = req.url.split("?")[0]!.replace(/^\/es(?=\/)/, "");
    if (path === "/")
      return [
        200,
        {
          version: { number: this.options.version ?? "8.17.0", build_flavor: "default" },
          tagline: "You Know, for Search",
        },
      ];
    if (path === "/_cluster/health") return [200, { status: "green" }];
    if (path.startsWith("/_ilm/") && req.method === "PUT") return [200, { acknowledged: true }];
    if (path.startsWith("/_ilm/")) {
      const status = this.options.ilmStatus ?? 404;
      return [
        status,
        status === 400
          ? { error: "no handler found for uri" }
          : { error: { type: "resource_not_found_exception" } },
      ];
    }
    if (path.startsWith("/_index_template/") || path.startsWith("/_template/")) {
      if (req.method === "PUT") {
        this.templates.set(decodeURIComponent(path), JSON.parse(req.body));
        return [200, { acknowledged: true }];
      }
      return this.templates.has(decodeURIComponent(path)) ? [200, {}] : [404, {}];
    }
    if (path.endsWith("/_bulk")) return this.bulk(req.body);
    // Rollover index creation: PUT /<alias-{now/d}-000001>
    if (req.method === "PUT" && path.startsWith("/%3C")) return [200, { acknowledged: true }];
    return [404, { error: { type: "index_not_found_exception" } }];
  }

  private bulk(body: string): [number, unknown] {
    const next = this.options.bulkStatuses?.shift();
    if (next !== undefined && next !== 200) return [next, { error: { type: "rejected" } }];
    const lines = body.split("\n").filter((l) => l !== "");
    const items: unknown[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i++) {
      const head = JSON.parse(lines[i]!) as Record<string, Record<string, unknown>>;
      const action = Object.keys(head)[0]!;
      const source = action === "delete" ? undefined : (JSON.parse(lines[++i]!) as Record<string, unknown>);
      const line = { action, meta: head[action]!, source };
      const key = JSON.stringify(source ?? line.meta);
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempt);
      const { status, type } = this.options.itemStatus?.(line, attempt) ?? {
        status: action === "create" ? 201 : 200,
      };
      if (status < 300) this.accepted.push(line);
      else errors = true;
      items.push({
        [action]: { _index: line.meta._index, status, ...(type ? { error: { type, reason: type } } : {}) },
      });
    }
    return [200, { took: 1, errors, items }];
  }
}
