// The elasticsearch output's delivery loop (Logstash's multi_receive and retrying_submit): wait for a live host and
// setup, map events to actions, send them in bulk, and retry what failed with doubling pauses (retry_initial_interval
// up to retry_max_interval): whole requests on connection errors and bad answers, items on 429/503/5xx. 409 and
// drop_error_types are logged and dropped; 400/404 (and dlq_custom_codes) go to the DLQ seam.

import type { Event } from "../../../event/index.js";
import type { Output, PluginContext } from "../../api.js";
import { type ActionSettings, type BulkAction, EventMappingError, mapEvent } from "./actions.js";
import { type BulkResponse, type BulkSettings, sendBulk } from "./bulk.js";
import { BadResponseError, type EsClient, HostUnreachableError, NoConnectionError } from "./client.js";
import { finishSetup, type SetupSettings } from "./setup.js";

export interface DeliverySettings {
  retryInitialMs: number;
  retryMaxMs: number;
  dlqCodes: ReadonlySet<number>;
  dropErrorTypes: readonly string[];
  silencedErrorTypes: readonly string[];
}

const successCodes = new Set([200, 201]);
const conflictCode = 409;

export class ElasticsearchOutput implements Output {
  private readonly ready: Promise<void>;
  private stopping = false;
  private readonly sleepers = new Set<() => void>();
  private setupFailure: Error | undefined;

  constructor(
    private readonly client: EsClient,
    private readonly actions: ActionSettings,
    private readonly bulk: BulkSettings,
    private readonly delivery: DeliverySettings,
    setup: SetupSettings,
    private readonly context: PluginContext,
  ) {
    this.ready = this.connect(setup);
    // Nobody may be waiting yet; failures are kept and reported by receive().
    this.ready.catch(() => {});
  }

  /** Resolves once setup is done (or failed, which is logged); for tests and `sluice up`. */
  get connected(): Promise<void> {
    return this.ready;
  }

  async receive(events: Event[]): Promise<void> {
    if (events.length === 0) return;
    await this.ready;
    if (this.setupFailure !== undefined)
      this.context.logger.error(
        "Elasticsearch setup did not complete normally, please review previously logged errors",
        {
          plugin: this.context.id,
          error: this.setupFailure.message,
        },
      );
    await this.retryingSubmit(this.mapAll(events));
  }

  close(): void {
    this.stopping = true;
    for (const wake of this.sleepers) wake();
    this.client.close();
  }

  /** Waits (retrying with back-off) for a live host, then runs setup once. */
  private async connect(setup: SetupSettings): Promise<void> {
    let interval = this.delivery.retryInitialMs;
    await this.client.start();
    while (this.client.aliveCount === 0 && !this.stopping) {
      const refusals = this.client.refusals;
      this.context.logger.debug("Waiting for connectivity to Elasticsearch cluster", {
        plugin: this.context.id,
        retry_in_ms: interval,
        ...(refusals.length > 0 ? { refusals } : {}),
      });
      interval = await this.sleepFor(interval);
      await this.client.healthcheck(false);
    }
    if (this.stopping) return;
    for (;;) {
      try {
        const result = await finishSetup(this.client, setup, this.context.logger);
        if (result.ilmIndex !== undefined) {
          if (this.actions.index !== this.actions.defaultIndex)
            this.context.logger.warn(
              `Overwriting supplied index ${this.actions.index} with rollover alias ${result.ilmIndex}`,
            );
          this.actions.index = result.ilmIndex;
        }
        return;
      } catch (err) {
        // Logstash retries setup on 429 and gives up (stopping the pipeline) on anything else.
        if (err instanceof BadResponseError && err.status === 429 && !this.stopping) {
          interval = await this.sleepFor(interval);
          continue;
        }
        this.setupFailure = err as Error;
        this.context.logger.error("Elasticsearch setup failed; events are still sent", {
          plugin: this.context.id,
          error: (err as Error).message,
        });
        return;
      }
    }
  }

  private mapAll(events: Event[]): BulkAction[] {
    const mapped: BulkAction[] = [];
    const major = this.client.maximumSeenMajorVersion;
    for (const event of events) {
      try {
        mapped.push(mapEvent(event, this.actions, major));
      } catch (err) {
        if (!(err instanceof EventMappingError)) throw err;
        this.toDlq(
          event,
          `${err.message}; event: ${JSON.stringify(event.toObject({ includeMetadata: true }))}`,
        );
      }
    }
    return mapped;
  }

  /** What Logstash writes to the dead-letter queue: there when the pipeline has one, and always logged and counted. */
  private toDlq(
    event: Event,
    message: string,
    fields: Record<string, unknown> = {},
    level: "warn" | "error" = "warn",
  ): void {
    this.context.logger[level](message, { plugin: this.context.id, ...fields });
    this.context.countFailure("dlq");
    this.context.deadLetter?.(event, message);
  }

  private async retryingSubmit(actions: BulkAction[]): Promise<void> {
    let pending = actions;
    let interval = this.delivery.retryInitialMs;
    while (pending.length > 0) {
      try {
        pending = await this.submit(pending);
        if (pending.length > 0)
          this.context.logger.info(
            "Retrying individual bulk actions that failed or were rejected by the previous bulk request",
            { plugin: this.context.id, count: pending.length },
          );
      } catch (err) {
        this.context.logger.error("Encountered an unexpected error submitting a bulk request, will retry", {
          plugin: this.context.id,
          error: (err as Error).message,
        });
      }
      if (pending.length === 0 || this.stopping) return;
      interval = await this.sleepFor(interval);
    }
  }

  /** Sends once (retrying whole-request failures); returns the actions to retry. */
  private async submit(actions: BulkAction[]): Promise<BulkAction[]> {
    const response = await this.safeBulk(actions);
    if (response === undefined || !response.errors) return [];
    if (response.items.length !== actions.length)
      throw new Error(
        `Sent ${actions.length} documents but Elasticsearch returned ${response.items.length} responses (likely a bug with _bulk endpoint)`,
      );
    const retry: BulkAction[] = [];
    response.items.forEach(({ result }, i) => {
      const action = actions[i]!;
      const status = result.status;
      const type = result.error?.type;
      const shown = { status, action: [action.action, action.params], response: result };
      if (successCodes.has(status)) return;
      const logged = type === undefined || !this.delivery.silencedErrorTypes.includes(type);
      if (status === conflictCode || (type !== undefined && this.delivery.dropErrorTypes.includes(type))) {
        if (logged) this.context.logger.warn("Failed action", { plugin: this.context.id, ...shown });
        this.context.countFailure("non_retryable");
      } else if (this.delivery.dlqCodes.has(status)) {
        this.toDlq(
          action.event,
          `Could not index event to Elasticsearch. status: ${status}, action: ${JSON.stringify([action.action, action.params])}, response: ${JSON.stringify(result)}`,
          shown,
          type === "invalid_index_name_exception" ? "error" : "warn",
        );
      } else {
        if (logged) this.context.logger.info("Retrying failed action", { plugin: this.context.id, ...shown });
        retry.push(action);
      }
    });
    return retry;
  }

  /** One bulk submission, retried with back-off on unreachable hosts and non-2xx answers until it goes through. */
  private async safeBulk(actions: BulkAction[]): Promise<BulkResponse | undefined> {
    let interval = this.delivery.retryInitialMs;
    for (;;) {
      try {
        return await sendBulk(this.client, actions, this.bulk, this.context.logger);
      } catch (err) {
        this.logBulkFailure(err as Error, interval);
        this.context.countFailure("bulk_request");
        if (err instanceof NoConnectionError) void this.client.healthcheck(false);
        interval = await this.sleepFor(interval);
        if (this.stopping) return undefined;
      }
    }
  }

  private logBulkFailure(err: Error, interval: number): void {
    const fields = { plugin: this.context.id, error: err.message, will_retry_in_ms: interval };
    if (err instanceof HostUnreachableError)
      this.context.logger.error(
        "Attempted to send a bulk request but Elasticsearch appears to be unreachable or down",
        fields,
      );
    else if (err instanceof NoConnectionError)
      this.context.logger.error(
        "Attempted to send a bulk request but there are no living connections in the pool",
        fields,
      );
    else if (err instanceof BadResponseError) {
      const message = "Encountered a retryable error (will retry with exponential backoff)";
      const detail = { ...fields, code: err.status, url: err.url, body: err.body };
      // 429 is Elasticsearch asking for patience, not an error.
      if (err.status === 429) this.context.logger.debug(message, detail);
      else this.context.logger.error(message, detail);
    } else
      this.context.logger.error(
        "An unknown error occurred sending a bulk request to Elasticsearch (will retry indefinitely)",
        fields,
      );
  }

  /** Sleeps (cut short by close()) and returns the next, doubled interval. */
  private async sleepFor(intervalMs: number): Promise<number> {
    if (!this.stopping)
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, intervalMs);
        this.sleepers.add(wake);
      });
    return Math.min(intervalMs * 2, this.delivery.retryMaxMs);
  }
}
