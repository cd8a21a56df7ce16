// The http output's delivery: one request per event (or per batch for json_batch), at most `pool_max` at once,
// retried with Logstash's growing, jittered back-off on retryable codes and connection failures for as long as
// `retry_failed` allows (Logstash retries without end); what finally fails is logged and counted.

import type { OutgoingHttpHeaders } from "node:http";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import type { Event } from "../../../event/index.js";
import type { Output, PluginContext } from "../../api.js";
import type { OptionHash } from "../../options.js";
import { type BodySettings, requestBody } from "./body.js";
import { ConnectionError, type HttpClient } from "./client.js";

const gzip = promisify(gzipCallback);

export interface HttpOutputSettings extends BodySettings {
  url: string;
  /** Upper-case HTTP method. */
  method: string;
  contentType: string;
  /** Header templates, interpolated per event (not for json_batch, as in Logstash). */
  headers: OptionHash;
  /** Sent with every request (basic auth). */
  fixedHeaders: OutgoingHttpHeaders;
  retryFailed: boolean;
  retryableCodes: readonly number[];
  ignorableCodes: readonly number[];
  compression: boolean;
  /** Requests in flight at once. */
  poolMax: number;
}

type Outcome = "success" | "retry" | "failure";

/** Logstash's back-off: attempt² seconds capped at 60, half of it fixed and half random (integer seconds). */
export function logstashBackoffMs(attempt: number): number {
  const ceiling = Math.min(attempt ** 2, 60);
  const seconds = Math.floor(ceiling / 2) + Math.floor(Math.floor(Math.random() * (ceiling + 1)) / 2);
  return seconds * 1000;
}

export class HttpOutput implements Output {
  private inFlight = 0;
  private readonly waitingForSlot: (() => void)[] = [];
  private readonly sleepers = new Set<() => void>();
  private readonly deliveries = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly settings: HttpOutputSettings,
    private readonly client: HttpClient,
    private readonly context: PluginContext,
    private readonly backoffMs: (attempt: number) => number = logstashBackoffMs,
  ) {}

  async receive(events: Event[]): Promise<void> {
    if (events.length === 0) return;
    const units = this.settings.format === "json_batch" ? [events] : events.map((event) => [event]);
    await Promise.all(units.map((unit) => this.track(this.deliver(unit))));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const wake of this.sleepers) wake();
      await Promise.allSettled([...this.deliveries]);
      this.client.close();
    })();
    return this.closing;
  }

  private track(delivery: Promise<void>): Promise<void> {
    this.deliveries.add(delivery);
    return delivery.finally(() => this.deliveries.delete(delivery));
  }

  private async deliver(unit: Event[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let outcome = await this.withSlot(() => this.sendOnce(unit));
      if (outcome === "retry" && !this.settings.retryFailed) outcome = "failure";
      if (outcome === "success") return;
      if (outcome === "failure") return this.giveUp(unit, "http_request_failed");
      if (this.closing !== undefined) return this.giveUp(unit, "http_closed");
      const waitMs = this.backoffMs(attempt + 1);
      this.context.logger.info("retrying http request", { plugin: this.context.id, sleep_ms: waitMs });
      await this.sleep(waitMs);
      if (this.closing !== undefined) return this.giveUp(unit, "http_closed");
    }
  }

  private async sendOnce(unit: Event[]): Promise<Outcome> {
    const { settings } = this;
    const single = settings.format === "json_batch" ? undefined : unit[0];
    const url = single === undefined ? settings.url : single.sprintf(settings.url);
    try {
      let body = Buffer.from(requestBody(settings, unit));
      const headers = this.headersFor(single);
      if (settings.compression) {
        headers["Content-Encoding"] = "gzip";
        body = await gzip(body);
      }
      const response = await this.client.request(settings.method, url, headers, body);
      if (this.succeeded(response.status)) return "success";
      if (settings.retryableCodes.includes(response.status)) {
        const will = settings.retryFailed ? "will retry" : "won't retry";
        const fields = { plugin: this.context.id, code: response.status, url };
        if (response.status === 429) this.context.logger.debug(`got 429 (flow control), ${will}`, fields);
        else
          this.context.logger.warn(`encountered a retryable HTTP response, ${will}`, {
            ...fields,
            body: response.body,
          });
        return "retry";
      }
      this.context.logger.warn("encountered non-2xx HTTP code", {
        plugin: this.context.id,
        code: response.status,
        url,
        body: response.body,
      });
      return "failure";
    } catch (err) {
      const retry = err instanceof ConnectionError;
      this.context.logger.warn("could not send HTTP request", {
        plugin: this.context.id,
        url,
        method: settings.method,
        error: (err as Error).message,
        will_retry: retry && settings.retryFailed,
      });
      return retry ? "retry" : "failure";
    }
  }

  private headersFor(event: Event | undefined): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = { ...this.settings.fixedHeaders };
    for (const [name, value] of Object.entries(this.settings.headers)) {
      const values = Array.isArray(value) ? value.map(String) : [String(value)];
      const rendered = event === undefined ? values : values.map((v) => event.sprintf(v));
      headers[name] = rendered.length === 1 ? rendered[0]! : rendered;
    }
    // Logstash sets Content-Type last, over any header of that name.
    headers["Content-Type"] = this.settings.contentType;
    return headers;
  }

  private succeeded(status: number): boolean {
    return this.settings.ignorableCodes.includes(status) || (status >= 200 && status <= 299);
  }

  /**
   * The end of the line for events that could not be delivered. This is where a dead letter queue will take
   * them; for now they are logged and counted.
   */
  private giveUp(unit: Event[], reason: string): void {
    this.context.logger.warn("http output dropped events it could not deliver", {
      plugin: this.context.id,
      events: unit.length,
      reason,
    });
    this.context.countFailure(reason);
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    while (this.inFlight >= this.settings.poolMax)
      await new Promise<void>((r) => this.waitingForSlot.push(r));
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.waitingForSlot.shift()?.();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
