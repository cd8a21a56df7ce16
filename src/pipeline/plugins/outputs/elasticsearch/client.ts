// The elasticsearch output's connection pool: several base URLs, requests to the least busy live host (round robin
// among equals), a host that fails at the connection level marked dead and health-checked back (HEAD, then GET /
// for its version) every `resurrect_delay`, as Logstash's pool does.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { assert } from "../../../../common/assert.js";
import { limits } from "../../../../common/limits.js";
import type { Logger } from "../../../../common/logger.js";
import type { TlsSettings } from "../../support/http-tls.js";
import { AgentPool } from "../../support/http-transport.js";

export interface EsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** No response at all: refused, reset, timed out. The host is marked dead. */
export class HostUnreachableError extends Error {
  override name = "HostUnreachableError";
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(`Elasticsearch Unreachable: [${url}] ${message}`);
  }
}

/** A response outside 2xx. */
export class BadResponseError extends Error {
  override name = "BadResponseError";
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
  ) {
    super(`Got response code '${status}' contacting Elasticsearch at URL '${url}'`);
  }
}

/** Every host is dead (or none has answered yet). */
export class NoConnectionError extends Error {
  override name = "NoConnectionError";
}

export interface EsClientSettings {
  /** Base URLs: scheme, host, port, path prefix, query parameters (no credentials: they go in `headers`). */
  urls: readonly URL[];
  /** Sent with every request (Authorization, custom_headers). */
  headers: OutgoingHttpHeaders;
  timeoutMs: number;
  poolMax: number;
  poolMaxPerRoute: number;
  tls: TlsSettings;
  healthcheckPath: string;
  resurrectDelayMs: number;
  logger: Logger;
}

type HostState = "unknown" | "alive" | "dead";

interface Host {
  url: URL;
  state: HostState;
  inUse: number;
  version?: string;
  /** A host answered GET / but is not an Elasticsearch we can talk to (kept dead, with the reason). */
  refusal?: string;
}

/** What GET / said about a host. */
export interface ClusterInfo {
  version: string;
  major: number;
  buildFlavor?: string;
}

export class EsClient {
  private readonly hosts: Host[];
  private readonly agents: AgentPool;
  private next = 0;
  private resurrector: NodeJS.Timeout | undefined;
  private closed = false;
  /** The highest major version any host reported (Logstash adapts request shapes to it). */
  maximumSeenMajorVersion: number | undefined;
  lastVersion: string | undefined;
  buildFlavor: string | undefined;

  constructor(private readonly settings: EsClientSettings) {
    this.hosts = settings.urls.map((url) => ({ url, state: "unknown", inUse: 0 }));
    this.agents = new AgentPool({ ...settings, keepalive: true });
  }

  get aliveCount(): number {
    return this.hosts.filter((h) => h.state === "alive").length;
  }

  /** Reasons hosts were refused at their last check (bad credentials, not Elasticsearch). */
  get refusals(): string[] {
    return this.hosts.flatMap((h) => (h.refusal === undefined ? [] : [`${redact(h.url)}: ${h.refusal}`]));
  }

  /** Checks every host not alive now; then keeps checking dead ones every resurrect_delay. */
  async start(): Promise<void> {
    await this.healthcheck(true);
    if (this.closed || this.resurrector !== undefined) return;
    this.resurrector = setInterval(() => void this.healthcheck(false), this.settings.resurrectDelayMs);
    this.resurrector.unref();
  }

  /** Health-checks hosts that are not alive: HEAD healthcheck_path, then GET / for the version and product. */
  async healthcheck(registerPhase: boolean): Promise<void> {
    const candidates = this.hosts.filter((h) => h.state !== "alive");
    await Promise.all(candidates.map((host) => this.check(host, registerPhase)));
  }

  /**
   * One request to a live host. Connection failures mark the host dead and throw HostUnreachableError; a non-2xx
   * answer throws BadResponseError.
   */
  async request(
    method: string,
    path: string,
    body?: Buffer,
    headers: OutgoingHttpHeaders = {},
  ): Promise<EsResponse> {
    const host = this.pick();
    if (host === undefined) throw new NoConnectionError("No Available connections");
    host.inUse++;
    try {
      return await this.send(host.url, method, path, body, headers);
    } catch (err) {
      if (err instanceof HostUnreachableError) this.markDead(host, err);
      throw err;
    } finally {
      host.inUse--;
    }
  }

  /** True for 2xx, false for 404; other answers throw. */
  async exists(path: string, useGet = false): Promise<boolean> {
    try {
      await this.request(useGet ? "GET" : "HEAD", path);
      return true;
    } catch (err) {
      if (err instanceof BadResponseError && err.status === 404) return false;
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    if (this.resurrector !== undefined) clearInterval(this.resurrector);
    this.agents.destroy();
  }

  private pick(): Host | undefined {
    let lowest = Number.POSITIVE_INFINITY;
    for (const host of this.hosts) if (host.state === "alive" && host.inUse < lowest) lowest = host.inUse;
    if (lowest === Number.POSITIVE_INFINITY) return undefined;
    // Round robin among the least busy, so equal hosts share the load in turn.
    for (let i = 0; i < this.hosts.length; i++) {
      const host = this.hosts[(this.next + i) % this.hosts.length]!;
      if (host.state === "alive" && host.inUse === lowest) {
        this.next = (this.next + i + 1) % this.hosts.length;
        return host;
      }
    }
    return undefined;
  }

  private markDead(host: Host, err: Error): void {
    if (host.state === "dead") return;
    host.state = "dead";
    this.settings.logger.warn("Marking url as dead", { url: redact(host.url), error: err.message });
  }

  private async check(host: Host, registerPhase: boolean): Promise<void> {
    const log = this.settings.logger;
    try {
      await this.send(host.url, "HEAD", this.settings.healthcheckPath);
      const root = await this.send(host.url, "GET", "/");
      const info = parseClusterInfo(root);
      if (typeof info === "string") {
        host.refusal = info;
        host.state = "dead";
        log.error("Elasticsearch host refused", { url: redact(host.url), reason: info });
        return;
      }
      host.refusal = undefined;
      host.version = info.version;
      this.noteVersion(info, host);
      host.state = "alive";
      if (registerPhase)
        log.info("Connected to ES instance", { url: redact(host.url), version: info.version });
      else log.warn("Restored connection to ES instance", { url: redact(host.url) });
    } catch (err) {
      host.state = "dead";
      if (err instanceof BadResponseError && (err.status === 401 || err.status === 403))
        host.refusal = `Could not read Elasticsearch. Please check the ${err.status === 401 ? "credentials" : "privileges"}`;
      log.warn("Attempted to resurrect connection to dead ES instance, but got an error", {
        url: redact(host.url),
        error: (err as Error).message,
      });
    }
  }

  private noteVersion(info: ClusterInfo, host: Host): void {
    this.lastVersion = info.version;
    this.buildFlavor = info.buildFlavor;
    const seen = this.maximumSeenMajorVersion;
    if (seen === undefined) {
      this.settings.logger.info("Elasticsearch version determined", { es_version: info.major });
      this.maximumSeenMajorVersion = info.major;
    } else if (info.major > seen) {
      this.settings.logger.warn("Detected a node with a higher major version than previously observed", {
        previous_major: seen,
        new_major: info.major,
        node_url: redact(host.url),
      });
      this.maximumSeenMajorVersion = info.major;
    }
  }

  private send(
    base: URL,
    method: string,
    path: string,
    body?: Buffer,
    headers: OutgoingHttpHeaders = {},
  ): Promise<EsResponse> {
    const url = joinUrl(base, path);
    const route = this.agents.route(url);
    assert(route !== undefined, `host URLs are checked to be http or https: ${url.protocol}`);
    const shown = redact(url);
    return new Promise((resolve, reject) => {
      const request = route.transport.request(url, {
        method,
        headers: {
          ...this.settings.headers,
          ...headers,
          ...(body !== undefined ? { "Content-Length": body.length } : {}),
        },
        agent: route.agent,
        timeout: this.settings.timeoutMs,
      });
      const overall = setTimeout(
        () => request.destroy(new Error(`request timed out after ${this.settings.timeoutMs} ms`)),
        this.settings.timeoutMs,
      );
      request.on("timeout", () => request.destroy(new Error("socket timed out")));
      request.on("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(overall);
        reject(new HostUnreachableError(err.code ? `${err.message} (${err.code})` : err.message, shown));
      });
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.elasticsearchOutputResponseBytesMax)
            request.destroy(
              new Error(`response larger than ${limits.elasticsearchOutputResponseBytesMax} bytes`),
            );
          else chunks.push(chunk);
        });
        response.on("end", () => {
          clearTimeout(overall);
          const status = response.statusCode ?? 0;
          const result = { status, headers: response.headers, body: Buffer.concat(chunks) };
          if (status >= 200 && status <= 299) resolve(result);
          else reject(new BadResponseError(status, shown, result.body.toString("utf8", 0, 4096)));
        });
        response.on("aborted", () => request.destroy(new Error("response aborted")));
      });
      request.end(body);
    });
  }
}

/** The base URL's path prefix and query, then `path` and its own query. */
export function joinUrl(base: URL, path: string): URL {
  const [pathPart, query] = splitQuery(path);
  const url = new URL(base.href);
  url.pathname = `${base.pathname}/${pathPart}`.replace(/\/{2,}/g, "/");
  const queries = [base.search.slice(1), query].filter((q) => q !== "");
  url.search = queries.join("&");
  return url;
}

function splitQuery(path: string): [string, string] {
  const at = path.indexOf("?");
  return at < 0 ? [path, ""] : [path.slice(0, at), path.slice(at + 1)];
}

/** A URL for logs: no credentials. */
export function redact(url: URL): string {
  if (url.username === "" && url.password === "") return url.href;
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}

/**
 * What GET / says, or why the host is not an Elasticsearch the output can use: versions before 7 are refused,
 * 7.0–7.13 need the default flavour and tagline, later ones the X-Elastic-Product header.
 */
export function parseClusterInfo(response: EsResponse): ClusterInfo | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString("utf8"));
  } catch {
    return "GET / did not answer JSON";
  }
  const root = parsed as { version?: { number?: unknown; build_flavor?: unknown }; tagline?: unknown };
  const number = root?.version?.number;
  if (typeof number !== "string") return "GET / did not report a version";
  const [major, minor] = number.split(".").map((n) => Number.parseInt(n, 10));
  if (major === undefined || Number.isNaN(major) || major < 7)
    return `Could not connect to a compatible version of Elasticsearch (version ${number})`;
  const flavor = typeof root.version?.build_flavor === "string" ? root.version.build_flavor : undefined;
  if (major === 7 && (minor ?? 0) < 14) {
    if (flavor !== "default" || root.tagline !== "You Know, for Search")
      return "Could not connect to a compatible version of Elasticsearch";
  } else if (response.headers["x-elastic-product"] !== "Elasticsearch") {
    return "Could not connect to a compatible version of Elasticsearch (no X-Elastic-Product: Elasticsearch header)";
  }
  return { version: number, major, ...(flavor !== undefined ? { buildFlavor: flavor } : {}) };
}
