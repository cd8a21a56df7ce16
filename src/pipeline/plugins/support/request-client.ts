// One HTTP(S) request of the http filter and the elasticsearch filter: the whole response (status, lower-cased
// headers, body text), with connect/socket/request timeouts, redirects and retries of connection-level failures.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { limits } from "../../../common/limits.js";
import {
  AgentPool,
  armTimeouts,
  type PoolSettings,
  type RequestTimeouts,
  type RetrySettings,
  withAutomaticRetries,
} from "./http-transport.js";

/** Manticore's settings (the HTTP client of Logstash's http_client mixin). */
export interface RequestSettings extends PoolSettings, RequestTimeouts, RetrySettings {
  socketTimeoutMs: number;
  followRedirects: boolean;
}

export interface FullResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string | undefined;
}

/** A failure before a response arrived (refused, reset, timed out): retried up to automatic_retries. */
export class ConnectionFailure extends Error {}

const redirects = new Set([301, 302, 303, 307, 308]);

export class RequestClient {
  private readonly agents: AgentPool;

  constructor(private readonly settings: RequestSettings) {
    this.agents = new AgentPool(settings);
  }

  async request(
    method: string,
    url: string,
    headers: OutgoingHttpHeaders,
    body: string | undefined,
  ): Promise<FullResponse> {
    return withAutomaticRetries(
      method,
      this.settings,
      (err) => err instanceof ConnectionFailure,
      () => this.follow(method, new URL(url), headers, body, 0),
    );
  }

  close(): void {
    this.agents.destroy();
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
    const route = this.agents.route(url);
    if (route === undefined) return Promise.reject(new Error(`unsupported URL scheme ${url.protocol}`));
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(overall);
        outcome();
      };
      const request = route.transport.request(url, {
        method,
        headers,
        agent: route.agent,
        timeout: this.settings.socketTimeoutMs,
      });
      const overall = armTimeouts(request, this.settings, (reason) =>
        request.destroy(new ConnectionFailure(reason)),
      );
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
