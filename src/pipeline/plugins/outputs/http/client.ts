// The http output's HTTP client on node:http/https: a keep-alive connection pool, connect/socket/request
// timeouts, redirects (as Apache HttpClient's lax strategy follows them) and immediate retries of requests that
// failed at the connection level (`automatic_retries`), like the Manticore client Logstash uses.

import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { limits } from "../../../../common/limits.js";
import { AgentPool, armTimeouts, withAutomaticRetries } from "../../support/http-transport.js";
import type { RequestSettings } from "../../support/request-client.js";

export type HttpClientSettings = RequestSettings;

export interface HttpResponse {
  status: number;
  /** The start of the body, for logs. */
  body: string;
}

/** A failure before any response: refused, reset, timed out, unresolvable. Worth retrying. */
export class ConnectionError extends Error {
  override name = "ConnectionError";
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Apache HttpClient's LaxRedirectStrategy follows redirects for these methods only. */
const redirectableMethods = new Set(["GET", "HEAD", "POST", "DELETE"]);

export class HttpClient {
  private readonly agents: AgentPool;

  constructor(private readonly settings: HttpClientSettings) {
    this.agents = new AgentPool(settings);
  }

  /** Sends one request; connection-level failures are retried at once up to `automatic_retries` times. */
  async request(
    method: string,
    url: string,
    headers: OutgoingHttpHeaders,
    body: Buffer,
  ): Promise<HttpResponse> {
    return withAutomaticRetries(
      method,
      this.settings,
      (err) => err instanceof ConnectionError,
      () => this.follow(method, new URL(url), headers, body),
    );
  }

  close(): void {
    this.agents.destroy();
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
    const route = this.agents.route(url);
    if (route === undefined) return Promise.reject(new Error(`unsupported URL scheme: ${url.href}`));
    const { socketTimeoutMs } = this.settings;
    return new Promise((resolve, reject) => {
      const sized = body.length > 0 || method !== "GET" ? { "Content-Length": body.length } : {};
      const request = route.transport.request(url, {
        method,
        headers: { ...headers, ...sized },
        agent: route.agent,
      });
      const fail = (message: string) => request.destroy(new ConnectionError(message));
      const overall = armTimeouts(request, this.settings, fail);
      request.setTimeout(socketTimeoutMs, () => fail(`socket idle for ${socketTimeoutMs} ms`));
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
