// One bulk submission: actions as NDJSON in requests of at most 20 MiB (uncompressed, like Logstash; a single larger
// action goes alone), gzipped when asked, sent one after another; the answers joined into one item list. A 413
// becomes a per-item error so those items are retried like other rejected ones.

import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import { limits } from "../../../../common/limits.js";
import type { Logger } from "../../../../common/logger.js";
import { type BulkAction, serializeAction } from "./actions.js";
import { BadResponseError, type EsClient } from "./client.js";

const gzip = promisify(gzipCallback);

export interface BulkItem {
  status: number;
  error?: { type?: string; reason?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface BulkResponse {
  errors: boolean;
  /** One per action, in order: the action name and its result. */
  items: { action: string; result: BulkItem }[];
}

export interface BulkSettings {
  bulkPath: string;
  /** 0: no compression; 1-9: gzip level. */
  compressionLevel: number;
  /** Test seam; limits.elasticsearchOutputBulkBytesMax otherwise. */
  targetBytes?: number;
}

/** Splits serialized actions into request bodies of at most `target` bytes. */
export function chunkActions(
  actions: readonly BulkAction[],
  target: number,
): { actions: BulkAction[]; body: Buffer }[] {
  const chunks: { actions: BulkAction[]; body: Buffer }[] = [];
  let parts: Buffer[] = [];
  let members: BulkAction[] = [];
  let size = 0;
  for (const action of actions) {
    const bytes = Buffer.from(serializeAction(action));
    if (size > 0 && size + bytes.length > target) {
      chunks.push({ actions: members, body: Buffer.concat(parts) });
      parts = [];
      members = [];
      size = 0;
    }
    parts.push(bytes);
    members.push(action);
    size += bytes.length;
  }
  if (members.length > 0) chunks.push({ actions: members, body: Buffer.concat(parts) });
  return chunks;
}

export async function sendBulk(
  client: EsClient,
  actions: readonly BulkAction[],
  settings: BulkSettings,
  logger: Logger,
): Promise<BulkResponse> {
  const joined: BulkResponse = { errors: false, items: [] };
  const chunks = chunkActions(actions, settings.targetBytes ?? limits.elasticsearchOutputBulkBytesMax);
  for (const chunk of chunks) {
    const response = await sendChunk(client, chunk, settings, logger);
    joined.errors ||= response.errors;
    joined.items.push(...response.items);
  }
  return joined;
}

async function sendChunk(
  client: EsClient,
  chunk: { actions: BulkAction[]; body: Buffer },
  settings: BulkSettings,
  logger: Logger,
): Promise<BulkResponse> {
  const headers: Record<string, string> = {
    "Content-Type": "application/x-ndjson",
    "X-Elastic-Event-Count": String(chunk.actions.length),
    "X-Elastic-Uncompressed-Request-Length": String(chunk.body.length),
  };
  let body = chunk.body;
  if (settings.compressionLevel > 0) {
    body = await gzip(body, { level: settings.compressionLevel });
    headers["Content-Encoding"] = "gzip";
  }
  try {
    const response = await client.request("POST", settings.bulkPath, body, headers);
    return parseBulkResponse(response.body.toString("utf8"));
  } catch (err) {
    if (!(err instanceof BadResponseError) || err.status !== 413) throw err;
    logger.warn("Bulk request rejected: `413 Payload Too Large`", {
      action_count: chunk.actions.length,
      content_length: body.length,
    });
    return {
      errors: true,
      items: chunk.actions.map((a) => ({
        action: a.action,
        result: { status: 413, error: { type: "payload_too_large" } },
      })),
    };
  }
}

/** A bulk answer's `errors` and items; anything else is an error (the whole request is retried). */
export function parseBulkResponse(text: string): BulkResponse {
  const parsed = JSON.parse(text) as { errors?: unknown; items?: unknown };
  if (!Array.isArray(parsed.items)) throw new Error("bulk response has no items array");
  const items = parsed.items.map((item: unknown) => {
    const entry = Object.entries(item as Record<string, BulkItem>)[0];
    if (entry === undefined || typeof entry[1]?.status !== "number")
      throw new Error("bulk response item without a status");
    return { action: entry[0], result: entry[1] };
  });
  return { errors: parsed.errors === true, items };
}
