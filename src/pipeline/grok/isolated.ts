// Runs a regex match on a helper thread while the calling thread waits with a deadline, so a runaway match can be
// abandoned (the thread is terminated and replaced). Requests and results pass through shared memory: no message
// per match, only a futex wake each way.

import { Worker } from "node:worker_threads";
import { limits } from "../../common/limits.js";

/** Raised when the helper thread did not answer within the budget (it has been terminated). */
export class IsolatedMatchTimeout extends Error {}

/** A regex as the helper thread compiles it; `names` are the named groups whose spans come back. */
interface Registration {
  readonly source: string;
  readonly flags: string;
  readonly names: readonly string[];
}

// Control words in the shared buffer.
const REQUEST = 0; // bumped by the caller for each request
const DONE = 1; // set to the request number by the helper when its answer is written
const OP = 2; // 1: register (JSON in the text area), 2: exec
const REGEX_ID = 3;
const TEXT_LENGTH = 4;
const MATCHED = 5;
const READY = 6;
const CONTROL_WORDS = 8;
/** MATCHED value for a request the helper could not carry out (a regex it could not build). */
const FAILED = -1;

const OP_REGISTER = 1;
const OP_EXEC = 2;

const helperSource = `
const { workerData } = require("node:worker_threads");
const { buffer, registrations, textChars, spanWords } = workerData;
const control = new Int32Array(buffer, 0, ${CONTROL_WORDS});
const text = new Uint16Array(buffer, ${CONTROL_WORDS * 4}, textChars);
const spans = new Int32Array(buffer, ${CONTROL_WORDS * 4} + textChars * 2, spanWords);
const compiled = [];
const build = (r) => { try { return new RegExp(r.source, r.flags + "d"); } catch { return null; } };
// A regex that cannot be built keeps its slot (ids are positions), and requests for it fail.
const add = (r) => compiled.push({ regex: build(r), names: r.names });
for (const r of registrations) add(r);
const readText = () => {
  const length = control[${TEXT_LENGTH}];
  let out = "";
  for (let i = 0; i < length; i += 8192) out += String.fromCharCode.apply(null, text.subarray(i, Math.min(length, i + 8192)));
  return out;
};
let seen = Atomics.load(control, ${REQUEST});
Atomics.store(control, ${READY}, 1);
Atomics.notify(control, ${READY});
for (;;) {
  Atomics.wait(control, ${REQUEST}, seen);
  seen = Atomics.load(control, ${REQUEST});
  try {
    if (control[${OP}] === ${OP_REGISTER}) {
      add(JSON.parse(readText()));
    } else {
      const entry = compiled[control[${REGEX_ID}]];
      const match = entry.regex.exec(readText());
      control[${MATCHED}] = match === null ? 0 : 1;
      if (match !== null) {
        const groups = match.indices.groups || {};
        entry.names.forEach((name, i) => {
          const span = groups[name];
          spans[2 * i] = span === undefined ? -1 : span[0];
          spans[2 * i + 1] = span === undefined ? -1 : span[1];
        });
      }
    }
  } catch {
    control[${MATCHED}] = ${FAILED};
  }
  Atomics.store(control, ${DONE}, seen);
  Atomics.notify(control, ${DONE});
}
`;

const textChars = limits.grokIsolatedInputCharsMax;
const spanWords = 2 * limits.grokIsolatedCaptureGroupsMax;

class IsolatedMatcher {
  private readonly registrations: Registration[] = [];
  private worker: Worker | undefined;
  private buffer = new SharedArrayBuffer(0);
  private control = new Int32Array(this.buffer);
  private text = new Uint16Array(this.buffer);
  private spans = new Int32Array(this.buffer);
  private request = 0;

  /** True when `input` and `names` fit the shared buffer; otherwise the caller uses another way. */
  accepts(input: string, names: readonly string[]): boolean {
    return input.length <= textChars && names.length <= limits.grokIsolatedCaptureGroupsMax;
  }

  register(regex: RegExp, names: readonly string[]): number {
    const registration: Registration = { source: regex.source, flags: regex.flags, names };
    this.registrations.push(registration);
    if (this.worker !== undefined)
      this.call(OP_REGISTER, 0, JSON.stringify(registration), limits.grokIsolatedStartMillisMax);
    return this.registrations.length - 1;
  }

  /** Group name to captured text (undefined when the group took no part), or null for no match. */
  exec(id: number, input: string, timeoutMs: number): Record<string, string | undefined> | null {
    this.call(OP_EXEC, id, input, timeoutMs);
    if (this.control[MATCHED] === FAILED) throw new Error("the grok match thread could not run this regex");
    if (this.control[MATCHED] === 0) return null;
    const groups: Record<string, string | undefined> = {};
    this.registrations[id]!.names.forEach((name, i) => {
      const start = this.spans[2 * i]!;
      groups[name] = start < 0 ? undefined : input.slice(start, this.spans[2 * i + 1]);
    });
    return groups;
  }

  private call(op: number, id: number, input: string, timeoutMs: number): void {
    this.ensureWorker();
    const control = this.control;
    for (let i = 0; i < input.length; i++) this.text[i] = input.charCodeAt(i);
    control[OP] = op;
    control[REGEX_ID] = id;
    control[TEXT_LENGTH] = input.length;
    const request = ++this.request;
    Atomics.store(control, REQUEST, request);
    Atomics.notify(control, REQUEST);
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(control, DONE) !== request) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(control, DONE, Atomics.load(control, DONE), left) === "timed-out") {
        if (Atomics.load(control, DONE) === request) break;
        this.abandon();
        throw new IsolatedMatchTimeout(`match ran longer than ${timeoutMs} ms`);
      }
    }
  }

  private ensureWorker(): void {
    if (this.worker !== undefined) return;
    this.buffer = new SharedArrayBuffer(CONTROL_WORDS * 4 + textChars * 2 + spanWords * 4);
    this.control = new Int32Array(this.buffer, 0, CONTROL_WORDS);
    this.text = new Uint16Array(this.buffer, CONTROL_WORDS * 4, textChars);
    this.spans = new Int32Array(this.buffer, CONTROL_WORDS * 4 + textChars * 2, spanWords);
    this.request = 0;
    const worker = new Worker(helperSource, {
      eval: true,
      workerData: { buffer: this.buffer, registrations: this.registrations, textChars, spanWords },
    });
    worker.unref();
    worker.on("error", () => this.abandon());
    this.worker = worker;
    if (Atomics.wait(this.control, READY, 0, limits.grokIsolatedStartMillisMax) === "timed-out") {
      this.abandon();
      throw new Error(`the grok match thread did not start within ${limits.grokIsolatedStartMillisMax} ms`);
    }
  }

  /** Drops the helper thread (stuck in a match, or failed); the next call starts a fresh one. */
  private abandon(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) void worker.terminate();
  }
}

/** The process's one helper thread for bounded matches, started on first use. */
export const isolatedMatcher = new IsolatedMatcher();
