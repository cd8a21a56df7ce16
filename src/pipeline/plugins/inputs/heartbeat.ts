// The `heartbeat` input: an event every `interval` seconds (`count` times, -1 forever) carrying `message` or a
// sequence number / epoch clock, to check that a pipeline is alive.

import { hostname } from "node:os";
import { Event } from "../../event/index.js";
import type { Input, InputSink, InputSpec, PluginContext } from "../api.js";
import { sleep } from "../support/sleep.js";

export type HeartbeatSequence = "none" | "epoch" | "sequence";

export interface HeartbeatSettings {
  /** Undefined when a legacy magic message became the sequence (ECS disabled). */
  message: string | undefined;
  intervalSeconds: number;
  count: number;
  sequence: HeartbeatSequence;
  threads: number;
}

export class HeartbeatInput implements Input {
  private readonly abort = new AbortController();
  private readonly hostField: string;
  private readonly sequenceField: string;
  private readonly host = hostname();

  constructor(
    private readonly settings: HeartbeatSettings,
    context: PluginContext,
  ) {
    const ecs = context.ecsCompatibility !== "disabled";
    this.hostField = ecs ? "[host][name]" : "host";
    this.sequenceField = ecs ? "[event][sequence]" : "clock";
  }

  async run(sink: InputSink): Promise<void> {
    await Promise.all(Array.from({ length: Math.max(1, this.settings.threads) }, () => this.beat(sink)));
  }

  stop(): void {
    this.abort.abort();
  }

  private async beat(sink: InputSink): Promise<void> {
    const intervalMs = this.settings.intervalSeconds * 1000;
    for (let beats = 1; !this.abort.signal.aborted && !sink.stopping; beats++) {
      const start = Date.now();
      if (!sink.push(this.heartbeat(beats))) await sink.ready();
      if (beats === this.settings.count || this.abort.signal.aborted) break;
      await pause(intervalMs - (Date.now() - start), this.abort.signal);
    }
  }

  private heartbeat(beats: number): Event {
    const { message, sequence } = this.settings;
    if (sequence === "none") {
      const event = new Event({ message: message ?? null });
      event.set(this.hostField, this.host);
      return event;
    }
    const event = new Event();
    event.set(this.sequenceField, sequence === "epoch" ? Math.floor(Date.now() / 1000) : beats);
    event.set(this.hostField, this.host);
    if (message !== undefined) event.set("message", message);
    return event;
  }
}

/** Resolves after `ms`, but at least one event-loop turn so a zero interval cannot starve the loop, or on abort. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal.aborted) return new Promise((resolve) => setImmediate(resolve));
  return sleep(ms, signal);
}

export const heartbeatInput: InputSpec = {
  kind: "input",
  name: "heartbeat",
  defaultCodec: "plain",
  doc: "Emits an event at a fixed interval, to monitor that the pipeline runs.",
  options: {
    message: { type: "string", default: "ok", doc: "Text of each heartbeat event." },
    interval: { type: "number", default: 60, doc: "Seconds between heartbeats." },
    count: { type: "number", default: -1, doc: "Heartbeats to send; -1 means forever." },
    sequence: {
      type: ["none", "epoch", "sequence"],
      doc: "Add a counter (sequence) or the epoch seconds (epoch) to each event.",
    },
    threads: { type: "number", default: 1, doc: "Parallel heartbeats, each counting on its own." },
  },
  create(options, context) {
    let message: string | undefined = options.string("message");
    let sequence = options.optionalString("sequence") as HeartbeatSequence | undefined;
    if (sequence === undefined && (message === "epoch" || message === "sequence")) {
      context.logger.warn(
        "message contains a sequence type (epoch|sequence); use the sequence option for that purpose",
        { plugin: context.id },
      );
      // Before ECS, these two messages were how a sequence was asked for; Logstash still honours that then.
      if (context.ecsCompatibility === "disabled") {
        sequence = message;
        message = undefined;
      }
    }
    const interval = options.number("interval");
    if (interval < 0) throw new Error("interval cannot be negative");
    const threads = options.number("threads");
    if (!Number.isInteger(threads) || threads < 1) throw new Error("threads must be a positive integer");
    return new HeartbeatInput(
      {
        message,
        intervalSeconds: interval,
        count: options.number("count"),
        sequence: sequence ?? "none",
        threads,
      },
      context,
    );
  },
};
