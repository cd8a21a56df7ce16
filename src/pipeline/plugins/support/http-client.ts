// The elasticsearch filter's HTTP client: one JSON request on the shared RequestClient, with Manticore's defaults.

import type { OutgoingHttpHeaders } from "node:http";
import type { TlsSettings } from "./http-tls.js";
import type { FullResponse, RequestClient, RequestSettings } from "./request-client.js";

// Where the elasticsearch filter's tests have always found it.
export { apiKeyAuthorization } from "./http-auth.js";

/** One request whose body is JSON when given as an object; the answer's body is parsed when it is JSON. */
export async function requestJson(
  client: RequestClient,
  method: string,
  url: string,
  headers: OutgoingHttpHeaders,
  body?: unknown,
): Promise<{ status: number; json: unknown; response: FullResponse }> {
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const response = await client.request(
    method,
    url,
    text === undefined ? headers : { "content-type": "application/json", ...headers },
    text,
  );
  let json: unknown;
  if (response.body !== undefined && response.body.trim() !== "") {
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, json, response };
}

/** Settings for `RequestClient` with Manticore's defaults (the HTTP client of Logstash's Elasticsearch plugins). */
export function clientSettings(tls: TlsSettings, overrides: Partial<RequestSettings> = {}): RequestSettings {
  return {
    connectTimeoutMs: 10_000,
    socketTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    followRedirects: true,
    automaticRetries: 0,
    retryNonIdempotent: false,
    keepalive: true,
    poolMax: 1000,
    poolMaxPerRoute: 100,
    tls,
    ...overrides,
  };
}
