// The http output's HTTP client on node:http/https: a keep-alive connection pool, connect/socket/request
// timeouts, redirects (as Apache HttpClient's lax strategy follows them) and immediate retries of requests that
// failed at the connection level (`automatic_retries`), like the Manticore client Logstash uses.

import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import type { SecureContextOptions } from "node:tls";
import { limits } from "../../../../common/limits.js";

export interface HttpClientSettings {
  connectTimeoutMs: number;
  socketTimeoutMs: number;
  requestTimeoutMs: number;
  followRedirects: boolean;
  poolMax: number;
  poolMaxPerRoute: number;
  keepalive: boolean;
  automaticRetries: number;
  retryNonIdempotent: boolean;
  /** TLS settings for https URLs. */
  tls: SecureContextOptions & { rejectUnauthorized: boolean };
}

export interface HttpResponse {
  status: number;
  /** The start of the body, for logs. */
  body: string;
}

/** A failure before any response: refused, reset, timed out, unresolvable. Worth retrying. */
export class ConnectionError extends Error {
  override name = "ConnectionError";
}

const idempotentMethods = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Apache HttpClient's LaxRedirectStrategy follows redirects for these methods only. */
const redirectableMethods = new Set(["GET", "HEAD", "POST", "DELETE"]);

export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly settings: HttpClientSettings) {
    const pool = {
      keepAlive: settings.keepalive,
      maxSockets: settings.poolMaxPerRoute,
      maxTotalSockets: settings.poolMax,
    };
    this.httpAgent = new http.Agent(pool);
    this.httpsAgent = new https.Agent({ ...pool, ...settings.tls });
  }

  /** Sends one request; connection-level failures are retried at once up to `automatic_retries` times. */
  async request(
    method: string,
    url: string,
    headers: OutgoingHttpHeaders,
    body: Buffer,
  ): Promise<HttpResponse> {
    const retriable = idempotentMethods.has(method) || this.settings.retryNonIdempotent;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.follow(method, new URL(url), headers, body);
      } catch (err) {
        if (!(err instanceof ConnectionError) || !retriable || attempt >= this.settings.automaticRetries)
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
    body: Buffer,
  ): Promise<HttpResponse> {
    let current = { method, url, body };
    for (let hops = 0; ; hops++) {
      const { response, location } = await this.once(current.method, current.url, headers, current.body);
      const redirect =
        this.settings.followRedirects &&
        location !== undefined &&
        redirectStatuses.has(response.status) &&
        redirectableMethods.has(current.method);
      if (!redirect) return response;
      if (hops >= limits.httpOutputRedirectsMax)
        throw new Error(`more than ${limits.httpOutputRedirectsMax} redirects from ${url.href}`);
      // 307 and 308 repeat the request; the others turn into a GET (HEAD stays HEAD), as HttpClient does.
      const keep = response.status === 307 || response.status === 308 || current.method === "HEAD";
      current = {
        method: keep ? current.method : "GET",
        url: new URL(location, current.url),
        body: keep ? current.body : Buffer.alloc(0),
      };
    }
  }

  private once(
    method: string,
    url: URL,
    headers: OutgoingHttpHeaders,
    body: Buffer,
  ): Promise<{ response: HttpResponse; location: string | undefined }> {
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:")
      return Promise.reject(new Error(`unsupported URL scheme: ${url.href}`));
    const transport = secure ? https : http;
    const { connectTimeoutMs, socketTimeoutMs, requestTimeoutMs } = this.settings;
    return new Promise((resolve, reject) => {
      const sized = body.length > 0 || method !== "GET" ? { "Content-Length": body.length } : {};
      const request = transport.request(url, {
        method,
        headers: { ...headers, ...sized },
        agent: secure ? this.httpsAgent : this.httpAgent,
      });
      const fail = (message: string) => request.destroy(new ConnectionError(message));
      const overall = setTimeout(
        () => fail(`request timed out after ${requestTimeoutMs} ms`),
        requestTimeoutMs,
      );
      request.setTimeout(socketTimeoutMs, () => fail(`socket idle for ${socketTimeoutMs} ms`));
      request.on("socket", (socket) => {
        if (!socket.connecting) return;
        const connectTimer = setTimeout(
          () => fail(`connect timed out after ${connectTimeoutMs} ms`),
          connectTimeoutMs,
        );
        socket.once("connect", () => clearTimeout(connectTimer));
        socket.once("close", () => clearTimeout(connectTimer));
      });
      request.on("error", (err) => {
        clearTimeout(overall);
        // Anything failing once the request is under way is the connection's doing (refused, reset, timeout).
        reject(asConnectionError(err));
      });
      request.on("response", (response) => {
        readBody(response).then(
          (text) => {
            clearTimeout(overall);
            const location = response.headers.location;
            resolve({ response: { status: response.statusCode ?? 0, body: text }, location });
          },
          (err: Error) => {
            clearTimeout(overall);
            reject(asConnectionError(err));
          },
        );
      });
      request.end(body);
    });
  }
}

function asConnectionError(err: Error): ConnectionError {
  if (err instanceof ConnectionError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new ConnectionError(code === undefined ? err.message : `${err.message} (${code})`);
}

/** The body's first bytes as text; the rest is read and dropped so the connection can be reused. */
function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    response.on("data", (chunk: Buffer) => {
      if (keptBytes >= limits.httpOutputLoggedBodyBytesMax) return;
      kept.push(chunk);
      keptBytes += chunk.length;
    });
    response.on("end", () =>
      resolve(Buffer.concat(kept).subarray(0, limits.httpOutputLoggedBodyBytesMax).toString()),
    );
    response.on("error", reject);
    response.on("aborted", () => reject(new Error("response aborted")));
  });
}
