// Test support for the tcp, udp, http and file inputs: tiny stand-in codecs, a recording sink with switchable
// back-pressure and a context that records warnings and failures. Only tests import this.

import { createLogger } from "../../../../common/logger.js";
import { Event } from "../../../event/index.js";
import type { Codec, Decoder, InputSink, PluginContext } from "../../api.js";

/** Like Logstash's line codec: one event per "\n"-terminated line; the rest is emitted on end(). */
export function testLineCodec(): Codec {
  return {
    createDecoder(emit): Decoder {
      let pending = "";
      return {
        write(data) {
          pending += data.toString("utf8");
          let newline = pending.indexOf("\n");
          while (newline >= 0) {
            emit(new Event({ message: pending.slice(0, newline) }));
            pending = pending.slice(newline + 1);
            newline = pending.indexOf("\n");
          }
        },
        end() {
          if (pending !== "") emit(new Event({ message: pending }));
          pending = "";
        },
      };
    },
    encode: (event) => `${String(event.get("message"))}\n`,
  };
}

/** Like Logstash's plain codec: every write is one event. Counts decoders and ends, for tests to check. */
export function testPlainCodec(): Codec & { decoders: number; ends: number } {
  const codec = {
    decoders: 0,
    ends: 0,
    createDecoder(emit: (event: Event) => void): Decoder {
      codec.decoders++;
      return {
        write: (data: Buffer) => emit(new Event({ message: data.toString("utf8") })),
        end: () => {
          codec.ends++;
        },
      };
    },
    encode: (event: Event) => String(event.get("message")),
  };
  return codec;
}

/** A sink that records events; `full` makes push() report back-pressure until `release()`. */
export class RecordingSink implements InputSink {
  readonly events: Event[] = [];
  full = false;
  stopping = false;
  pushesWhileFull = 0;
  private waiters: (() => void)[] = [];
  private acceptGate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  push(event: Event): boolean {
    if (this.full) this.pushesWhileFull++;
    this.events.push(event);
    return !this.full;
  }

  ready(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async accept(events: Event[]): Promise<void> {
    if (this.acceptGate !== undefined) await this.acceptGate;
    for (const event of events) this.events.push(event);
  }

  /** accept() waits until `openAccept()`. */
  holdAccept(): void {
    this.acceptGate = new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  openAccept(): void {
    this.openGate?.();
    this.acceptGate = undefined;
  }

  release(): void {
    this.full = false;
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  messages(): string[] {
    return this.events.map((e) => String(e.get("message")));
  }
}

export interface TestContext extends PluginContext {
  readonly warnings: string[];
  readonly failures: string[];
}

export function testContext(options: Partial<PluginContext> = {}): TestContext {
  const warnings: string[] = [];
  const failures: string[] = [];
  const logger = createLogger({
    level: "warn",
    write: (line) => {
      warnings.push(line);
    },
  });
  return {
    id: "test-input",
    pipelineId: "test",
    logger,
    ecsCompatibility: "v8",
    dataDir: "",
    countFailure: (reason) => {
      failures.push(reason);
    },
    warnings,
    failures,
    ...options,
  };
}

/** Polls `condition` until true or `timeoutMs` passes (then throws, so the test fails with a message). */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
