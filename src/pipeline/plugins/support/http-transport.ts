// What the HTTP-client plugins' requests share on node:http/https: one keep-alive agent per scheme sized by the
// pool options, and the connect and whole-request timers that end a request with the caller's error.

import http, { type ClientRequest } from "node:http";
import https from "node:https";
import type { TlsSettings } from "./http-tls.js";

export interface PoolSettings {
  keepalive: boolean;
  /** Sockets open at once over all hosts. */
  poolMax: number;
  /** Sockets open at once to one host. */
  poolMaxPerRoute: number;
  /** Applied to https URLs. */
  tls: TlsSettings;
}

export class AgentPool {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(settings: PoolSettings) {
    const pool = {
      keepAlive: settings.keepalive,
      maxSockets: settings.poolMaxPerRoute,
      maxTotalSockets: settings.poolMax,
    };
    this.httpAgent = new http.Agent(pool);
    this.httpsAgent = new https.Agent({ ...pool, ...settings.tls });
  }

  /** The transport and agent for a URL; undefined for a scheme other than http and https. */
  route(url: URL): { transport: typeof http | typeof https; agent: http.Agent } | undefined {
    if (url.protocol === "https:") return { transport: https, agent: this.httpsAgent };
    if (url.protocol === "http:") return { transport: http, agent: this.httpAgent };
    return undefined;
  }

  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

export interface RequestTimeouts {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * Arms the whole-request timer and, when the request opens a new connection, the connect timer; either calls
 * `fail` with its reason. Returns the whole-request timer, which the caller clears once the request settles.
 */
export function armTimeouts(
  request: ClientRequest,
  timeouts: RequestTimeouts,
  fail: (reason: string) => void,
): NodeJS.Timeout {
  const { connectTimeoutMs, requestTimeoutMs } = timeouts;
  const overall = setTimeout(() => fail(`request timed out after ${requestTimeoutMs} ms`), requestTimeoutMs);
  request.on("socket", (socket) => {
    if (!socket.connecting) return;
    const connect = setTimeout(
      () => fail(`connect timed out after ${connectTimeoutMs} ms`),
      connectTimeoutMs,
    );
    socket.once("connect", () => clearTimeout(connect));
    socket.once("close", () => clearTimeout(connect));
  });
  return overall;
}

export interface RetrySettings {
  automaticRetries: number;
  retryNonIdempotent: boolean;
}

const idempotentMethods = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/**
 * Manticore's automatic retries: `send` runs again at once after a connection-level failure, up to
 * `automaticRetries` more times, for idempotent methods only unless `retryNonIdempotent`.
 */
export async function withAutomaticRetries<T>(
  method: string,
  settings: RetrySettings,
  isConnectionFailure: (err: unknown) => boolean,
  send: () => Promise<T>,
): Promise<T> {
  const retriable = idempotentMethods.has(method) || settings.retryNonIdempotent;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (!isConnectionFailure(err) || !retriable || attempt >= settings.automaticRetries) throw err;
    }
  }
}
