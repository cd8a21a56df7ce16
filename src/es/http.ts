// HTTP plumbing for the Elasticsearch API: bounded (optionally gzip) bodies, JSON/NDJSON parsing,
// content negotiation for the clients' compatibility media types, and `filter_path`.

import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import { limits } from "../common/limits.js";
import { EsError } from "./errors.js";

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limits.esRequestBodyBytesMax)
      throw new EsError(
        413,
        "content_too_long_exception",
        `request body is larger than ${limits.esRequestBodyBytesMax} bytes`,
      );
    chunks.push(chunk as Buffer);
  }
  let body = Buffer.concat(chunks);
  const encoding = String(req.headers["content-encoding"] ?? "").toLowerCase();
  if (encoding === "gzip" || (body[0] === 0x1f && body[1] === 0x8b)) {
    try {
      body = gunzipSync(body, { maxOutputLength: limits.esDecompressedBodyBytesMax });
    } catch (e) {
      throw new EsError(
        400,
        "illegal_argument_exception",
        `failed to decompress request body: ${(e as Error).message}`,
      );
    }
  }
  return body.toString("utf8");
}

export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new EsError(
      400,
      "x_content_parse_exception",
      `Failed to parse request body: ${(e as Error).message}`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new EsError(400, "parse_exception", "request body is required to be a JSON object");
  return value as Record<string, unknown>;
}

/** The content type to answer with: the client's compatible-with media type when it asked for one. */
export function responseType(req: IncomingMessage): string {
  const accept = String(req.headers.accept ?? req.headers["content-type"] ?? "");
  const m = /compatible-with=(\d+)/.exec(accept);
  return m ? `application/vnd.elasticsearch+json;compatible-with=${m[1]}` : "application/json; charset=UTF-8";
}

export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  query?: URLSearchParams,
): void {
  const filtered = query?.get("filter_path") ? filterPath(body, query.get("filter_path") as string) : body;
  const text =
    typeof filtered === "string"
      ? filtered
      : `${JSON.stringify(filtered, null, query?.has("pretty") ? 2 : 0)}\n`;
  res.writeHead(status, {
    "X-Elastic-Product": "Elasticsearch",
    "Content-Type": typeof filtered === "string" ? "text/plain; charset=UTF-8" : responseType(req),
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(req.method === "HEAD" ? undefined : text);
}

/** Keeps only the paths named in `filter_path` (dot paths, `*` and `**` wildcards; arrays are transparent). */
export function filterPath(body: unknown, spec: string): unknown {
  const include = spec
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith("-"))
    .map((p) => p.split("."));
  if (include.length === 0) return body;
  const out = pick(body, include);
  return out === undefined ? {} : out;
}

function pick(value: unknown, paths: string[][]): unknown {
  if (paths.some((p) => p.length === 0)) return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => pick(v, paths)).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const next: string[][] = [];
    for (const p of paths) {
      const head = p[0] as string;
      if (head === "**") {
        next.push(p, p.slice(1));
        const rest = p.slice(1);
        if (rest.length > 0 && segmentMatch(rest[0] as string, key)) next.push(rest.slice(1));
      } else if (segmentMatch(head, key)) next.push(p.slice(1));
    }
    if (next.length === 0) continue;
    const picked = pick(v, next);
    if (picked !== undefined) out[key] = picked;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function segmentMatch(pattern: string, key: string): boolean {
  if (!pattern.includes("*")) return pattern === key;
  return new RegExp(
    `^${pattern
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(key);
}
