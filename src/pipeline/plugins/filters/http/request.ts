// One HTTP(S) request for the http filter: the whole response (status, lower-cased headers, body text), with
// connect/socket/request timeouts, redirects and retries of connection-level failures, on node:http/https.

import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import type { SecureContextOptions } from "node:tls";
import { limits } from "../../../../common/limits.js";

export interface RequestSettings {
  connectTimeoutMs: number;
  socketTimeoutMs: number;
  requestTimeoutMs: number;
  followRedirects: boolean;
  automaticRetries: number;
  retryNonIdempotent: boolean;
  keepalive: boolean;
  poolMax: number;
  poolMaxPerRoute: number;
  tls: SecureContextOptions & { rejectUnauthorized: boolean };
}

export interface FullResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string | undefined;
}

/** A failure before a response arrived (refused, reset, timed out): retried up to automatic_retries. */
export class ConnectionFailure extends Error {}

const idempotent = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
const redirects = new Set([301, 302, 303, 307, 308]);

export class RequestClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly settings: RequestSettings) {
    const pool = {
      keepAlive: settings.keepalive,
      maxSockets: settings.poolMaxPerRoute,
      maxTotalSockets: settings.poolMax,
    };
    this.httpAgent = new http.Agent(pool);
    this.httpsAgent = new https.Agent({ ...pool, ...settings.tls });
  }

  async request(
    method: string,
    url: string,
    headers: OutgoingHttpHeaders,
    body: string | undefined,
  ): Promise<FullResponse> {
    const retriable = idempotent.has(method) || this.settings.retryNonIdempotent;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.follow(method, new URL(url), headers, body, 0);
      } catch (err) {
        if (!(err instanceof ConnectionFailure) || !retriable || attempt >= this.settings.automaticRetries)
          throw err;
      }
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async follow(
    method: string,
    url: URL,
    headers: OutgoingHttpHeaders,
    body: string | undefined,
    hops: number,
  ): Promise<FullResponse> {
    const response = await this.once(method, url, headers, body);
    const location = response.headers.location;
    if (!this.settings.followRedirects || !redirects.has(response.status) || location === undefined)
      return response;
    if (hops >= limits.httpFilterRedirectsMax) throw new Error(`too many redirects (${hops})`);
    const next = new URL(location, url);
    const keepsBody = response.status === 307 || response.status === 308;
    return this.follow(
      keepsBody ? method : method === "HEAD" ? "HEAD" : "GET",
      next,
      headers,
      keepsBody ? body : undefined,
      hops + 1,
    );
  }

  private once(
    method: string,
    url: URL,
    headers: OutgoingHttpHeaders,
    body: string | undefined,
  ): Promise<FullResponse> {
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:")
      return Promise.reject(new Error(`unsupported URL scheme ${url.protocol}`));
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(overall);
        outcome();
      };
      const request = (secure ? https : http).request(url, {
        method,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        timeout: this.settings.socketTimeoutMs,
      });
      const overall = setTimeout(() => {
        request.destroy(
          new ConnectionFailure(`request timed out after ${this.settings.requestTimeoutMs} ms`),
        );
      }, this.settings.requestTimeoutMs);
      request.on("socket", (socket) => {
        if (!socket.connecting) return;
        const connect = setTimeout(
          () =>
            request.destroy(
              new ConnectionFailure(`connect timed out after ${this.settings.connectTimeoutMs} ms`),
            ),
          this.settings.connectTimeoutMs,
        );
        socket.once("connect", () => clearTimeout(connect));
        socket.once("close", () => clearTimeout(connect));
      });
      request.on("timeout", () => request.destroy(new ConnectionFailure("socket timed out")));
      request.on("error", (err) =>
        finish(() => reject(err instanceof ConnectionFailure ? err : new ConnectionFailure(err.message))),
      );
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.httpFilterResponseBytesMax) {
            request.destroy();
            finish(() =>
              reject(new Error(`response body larger than ${limits.httpFilterResponseBytesMax} bytes`)),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on("error", (err) => finish(() => reject(err)));
        response.on("end", () =>
          finish(() =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: chunks.length === 0 ? undefined : Buffer.concat(chunks).toString("utf8"),
            }),
          ),
        );
      });
      request.end(body);
    });
  }
}
