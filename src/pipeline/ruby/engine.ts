// Runs Ruby filter scripts against events: sets up the prelude and the JavaScript bridge in the shared VM once,
// makes one Sluice::Script per filter instance, and applies what a call hands back (writes, cancel, new events).

import type { RbValue, RubyVM } from "@ruby/wasm-wasi";
import type { Logger } from "../../common/logger.js";
import { Event, type FieldValue, Timestamp } from "../event/index.js";
import { RUBY_PRELUDE, TIMESTAMP_MARK } from "./prelude.js";
import { rubyVm, type StringCaller, stringCaller, wrapJs } from "./vm.js";

/** What a script does at creation: inline `init` + `code`, or a script file with register/filter. */
export type ScriptSource =
  | { kind: "code"; code: string; init?: string }
  | { kind: "path"; path: string; source: string; params: Record<string, unknown> };

/** An exception raised by the script during a call. */
export interface RubyFailure {
  className: string;
  message: string;
  backtrace: string[];
}

export interface RunOutcome {
  /** Events the script made (new_event_block, or extra events a path script returned). */
  produced: Event[];
  failure?: RubyFailure;
}

/** Results of a path script's inline tests. */
export interface ScriptTestReport {
  passed: number;
  failed: number;
  errored: number;
  messages: string[];
}

interface Runtime {
  vm: RubyVM;
  scripts: RbValue;
  scriptClass: RbValue;
}

let runtime: Runtime | undefined;
/** The event the current call works on; calls are synchronous, so one slot is enough. */
let current: Event | undefined;
const loggers = new Map<string, Logger>();
let nextKey = 0;

function setup(): Runtime {
  if (runtime !== undefined) return runtime;
  const vm = rubyVm();
  vm.eval(RUBY_PRELUDE);
  vm.eval("Sluice").call("bridge=", wrapJs(vm, bridge));
  runtime = { vm, scripts: vm.eval("Sluice::SCRIPTS"), scriptClass: vm.eval("Sluice::Script") };
  return runtime;
}

/** The functions Ruby calls. Each first applies the writes Ruby has pending, so reads see them. */
const bridge = {
  get: (pending: string, ref: string): string => encodeValue(liveEvent(pending).get(ref)),
  remove: (pending: string, ref: string): string => encodeValue(liveEvent(pending).remove(ref)),
  includes: (pending: string, ref: string): string => (liveEvent(pending).includes(ref) ? "1" : "0"),
  whole: (pending: string, withMetadata: string): string =>
    encodeValue(wholeEvent(liveEvent(pending), withMetadata === "1")),
  sprintf: (pending: string, format: string): string => liveEvent(pending).sprintf(format),
  sprintfJson: (json: string, format: string): string => Event.adopt(decodeJson(json)).sprintf(format),
  log: (key: string, level: string, message: string, data: string): void => {
    const logger = loggers.get(key);
    if (logger === undefined) return;
    const given: unknown = data === "" ? {} : JSON.parse(data);
    const fields =
      typeof given === "object" && given !== null && !Array.isArray(given) ? given : { data: given };
    const log = level === "fatal" ? logger.error : level in logger ? logger[level as "info"] : logger.info;
    log.call(logger, message, fields as Record<string, unknown>);
  },
};

function liveEvent(pending: string): Event {
  if (current === undefined) throw new Error("no event: the filter call has returned");
  if (pending !== "") applyWrites(current, decodeJson(pending) as unknown as Write[]);
  return current;
}

function wholeEvent(event: Event, withMetadata: boolean): FieldValue {
  const fields = { ...event.toJSON() };
  if (withMetadata && event.includes("@metadata")) fields["@metadata"] = event.get("@metadata")!;
  return fields;
}

type Write = ["s", string, unknown] | ["t", string];

function applyWrites(event: Event, writes: Write[]): void {
  for (const write of writes) {
    if (write[0] === "s") event.set(write[1], write[2]);
    else event.tag(write[1]);
  }
}

/** A value for Sluice.decode: "" absent, "s" + text, "t" + timestamp, "j" + JSON with marked timestamps. */
function encodeValue(value: FieldValue | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "string") return `s${value}`;
  if (value instanceof Timestamp) return `t${value.toString()}`;
  if (typeof value !== "object" || value === null) return `j${JSON.stringify(value)}`;
  return `j${JSON.stringify(value, markTimestamps)}`;
}

function markTimestamps(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Timestamp ? { [TIMESTAMP_MARK]: raw.toString() } : value;
}

function decodeJson(text: string): Record<string, unknown> {
  return text.includes(TIMESTAMP_MARK) ? JSON.parse(text, reviveTimestamps) : JSON.parse(text);
}

function reviveTimestamps(_key: string, value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const text = (value as Record<string, unknown>)[TIMESTAMP_MARK];
  if (typeof text !== "string" || Object.keys(value).length !== 1) return value;
  return Timestamp.parse(text) ?? text;
}

/** One filter instance's Ruby object. Creating it boots the VM on first use and runs init/register. */
export class RubyScript {
  private readonly key: string;
  private readonly script: RbValue;
  private readonly runScript: StringCaller;
  private readonly rt: Runtime;
  private closed = false;

  constructor(source: ScriptSource, logger: Logger) {
    this.rt = setup();
    this.key = `ruby-${nextKey++}`;
    loggers.set(this.key, logger);
    try {
      this.script = this.make(source);
    } catch (err) {
      loggers.delete(this.key);
      throw new Error(rubyMessage(err));
    }
    this.rt.scripts.call("store", this.str(this.key), this.script);
    this.runScript = stringCaller(
      this.rt.vm,
      this.script,
      source.kind === "code" ? "__run_code" : "__run_file",
    );
  }

  private make(source: ScriptSource): RbValue {
    const script = this.rt.scriptClass.call("new", this.str(this.key));
    if (source.kind === "code") {
      const init = source.init === undefined ? this.rt.vm.eval("nil") : this.str(source.init);
      return script.call("__setup_code", init, this.str(source.code));
    }
    const params = this.rt.vm.eval("JSON").call("parse", this.str(JSON.stringify(source.params)));
    return script.call("__setup_file", this.str(source.source), this.str(source.path), params);
  }

  /** Runs a path script's `test` blocks (each on a fresh copy of the script). */
  runTests(source: Extract<ScriptSource, { kind: "path" }>): ScriptTestReport {
    const result = this.script.call(
      "__run_tests",
      this.str(source.source),
      this.str(source.path),
      this.str(this.key),
    );
    const [passed, failed, errored, messages] = JSON.parse(result.call("to_json").toString()) as [
      number,
      number,
      number,
      string[],
    ];
    return { passed, failed, errored, messages };
  }

  /** Runs the script on `event`, changing it in place (fields, tags, cancel). Never throws for Ruby errors. */
  run(event: Event): RunOutcome {
    current = event;
    let answer: string;
    try {
      answer = this.runScript.call();
    } finally {
      current = undefined;
    }
    return answer === "" ? { produced: [] } : applyAnswer(event, answer);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.runScript.release();
    loggers.delete(this.key);
    this.rt.scripts.call("delete", this.str(this.key));
  }

  private str(text: string): RbValue {
    return wrapJs(this.rt.vm, text).call("to_s");
  }
}

type Answer = [Write[], boolean, Record<string, unknown>[], [string, string, string[]] | null];

function applyAnswer(event: Event, answer: string): RunOutcome {
  const [writes, cancelled, events, error] = decodeJson(answer) as unknown as Answer;
  let failure: RubyFailure | undefined;
  if (error !== null) failure = { className: error[0], message: error[1], backtrace: error[2] };
  try {
    applyWrites(event, writes);
  } catch (err) {
    failure ??= { className: "ArgumentError", message: (err as Error).message, backtrace: [] };
  }
  if (cancelled) event.cancel();
  return { produced: events.map((fields) => Event.adopt(fields)), failure };
}

/** The message of a Ruby error raised while creating a script (RbError text carries class and backtrace). */
function rubyMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
