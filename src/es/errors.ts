// Elasticsearch-shaped errors: every failure the API reports is an EsError rendered as
// {"error":{"root_cause":[...],"type":...,"reason":...},"status":N}.

import { StoreError } from "../store/store.js";

export class EsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    reason: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(reason);
  }
}

export const badRequest = (reason: string, type = "illegal_argument_exception") =>
  new EsError(400, type, reason);
export const parsingError = (reason: string) => new EsError(400, "parsing_exception", reason);

export function toEsError(e: unknown): EsError {
  if (e instanceof EsError) return e;
  if (e instanceof StoreError) return new EsError(e.status, e.type, e.message, e.extra);
  if (e instanceof SyntaxError)
    return new EsError(400, "x_content_parse_exception", `Failed to parse request body: ${e.message}`);
  return new EsError(500, "exception", e instanceof Error ? e.message : String(e));
}

export function errorBody(e: EsError): Record<string, unknown> {
  const cause = { type: e.type, reason: e.message, ...e.extra };
  return { error: { root_cause: [cause], ...cause }, status: e.status };
}
