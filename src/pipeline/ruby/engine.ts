// Runs Ruby filter scripts against events: sets up the prelude and the JavaScript bridge in the shared VM once,
// makes one Sluice::Script per filter instance, and applies what a call hands back (writes, cancel, new events).

import type { RbValue, RubyVM } from "@ruby/wasm-wasi";
import type { Logger } from "../../common/logger.js";
import { Event, type FieldValue, Timestamp } from "../event/index.js";
import { RUBY_PRELUDE, TIMESTAMP_MARK } from "./prelude.js";
import { rubyVm, type StringCaller, stringCaller, wrapJs } from "./vm.js";

/**
 * What a script does at creation: inline `init` + `code`, a script file with register/filter, or code that also
 * gets a task's `map` and `map_meta` from a RubyMapStore bound later (the aggregate filter). `label` names the
 * code in Ruby backtraces ("ruby filter" unless given).
 */
export type ScriptSource =
  | { kind: "code"; code: string; init?: string; label?: string }
  | { kind: "map-code"; code: string; label: string }
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
  /** For map-code: the task's [timeout, inactivity_timeout] when the code set either on map_meta. */
  timeouts?: [number | null, number | null];
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
/** What the current call gives Ruby besides the event (a task id, a store command); read through the bridge. */
let currentArgument = "";
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
  argument: (): string => currentArgument,
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
    this.runScript = stringCaller(this.rt.vm, this.script, RUNNERS[source.kind]);
  }

  private make(source: ScriptSource): RbValue {
    const script = this.rt.scriptClass.call("new", this.str(this.key));
    if (source.kind === "code") {
      const init = source.init === undefined ? this.rt.vm.eval("nil") : this.str(source.init);
      return script.call(
        "__setup_code",
        init,
        this.str(source.code),
        this.str(source.label ?? "ruby filter"),
      );
    }
    if (source.kind === "map-code") {
      return script.call("__setup_map_code", this.str(source.code), this.str(source.label));
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

  /**
   * Gives a map-code script its task maps; `endOfTask` deletes a task's map after each call. Maps are shared by
   * every script bound to the same store.
   */
  bindMaps(store: RubyMapStore, endOfTask: boolean): void {
    this.script.call("__bind_maps", store.rubyObject, this.rt.vm.eval(endOfTask ? "true" : "false"));
  }

  /**
   * Runs the script on `event`, changing it in place (fields, tags, cancel). Never throws for Ruby errors.
   * For map-code, `task` names the map (made when missing) and the times its map_meta reports.
   */
  run(event: Event, task?: MapTask): RunOutcome {
    current = event;
    if (task !== undefined) currentArgument = `${task.creationMs} ${task.lastEventMs} ${task.id}`;
    let answer: string;
    try {
      answer = this.runScript.call();
    } finally {
      current = undefined;
      currentArgument = "";
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

type Answer = [
  Write[],
  boolean,
  Record<string, unknown>[],
  [string, string, string[]] | null,
  [number | null, number | null] | null,
];

function applyAnswer(event: Event, answer: string): RunOutcome {
  const [writes, cancelled, events, error, timeouts] = decodeJson(answer) as unknown as Answer;
  let failure: RubyFailure | undefined;
  if (error !== null) failure = { className: error[0], message: error[1], backtrace: error[2] };
  try {
    applyWrites(event, writes);
  } catch (err) {
    failure ??= { className: "ArgumentError", message: (err as Error).message, backtrace: [] };
  }
  if (cancelled) event.cancel();
  const outcome: RunOutcome = { produced: events.map((fields) => Event.adopt(fields)), failure };
  if (timeouts !== null) outcome.timeouts = timeouts;
  return outcome;
}

const RUNNERS: Record<ScriptSource["kind"], string> = {
  code: "__run_code",
  "map-code": "__run_map",
  path: "__run_file",
};

/** The task a map-code call works on: its id and the times (epoch ms) map_meta reports. */
export interface MapTask {
  id: string;
  creationMs: number;
  lastEventMs: number;
}

/** One task's map as stored on disk: timestamps keep their JSON mark, so they come back as timestamps. */
export interface DumpedMap {
  id: string;
  map: Record<string, unknown>;
  timeout: number | null;
  inactivityTimeout: number | null;
}

/**
 * The maps of one aggregate task_id pattern, kept as Ruby objects inside the VM (a Hash of task id to element).
 * JavaScript sees a map only when it leaves the store: pushed as an event or written to disk.
 */
export class RubyMapStore {
  readonly rubyObject: RbValue;
  private readonly command: StringCaller;

  constructor() {
    const rt = setup();
    this.rubyObject = rt.vm.eval("Sluice::MapStore.new");
    this.command = stringCaller(rt.vm, this.rubyObject, "__command");
  }

  /** Removes the tasks' maps and returns them as event fields (timestamps as Timestamp); absent ids are skipped. */
  take(ids: readonly string[]): [string, Record<string, unknown>][] {
    if (ids.length === 0) return [];
    return decodeJson(this.send(["take", ...ids])) as unknown as [string, Record<string, unknown>][];
  }

  /** Every map, for writing to disk (timestamps stay marked). */
  dump(): DumpedMap[] {
    const rows = JSON.parse(this.send(["dump"])) as [
      string,
      Record<string, unknown>,
      number | null,
      number | null,
    ][];
    return rows.map(([id, map, timeout, inactivityTimeout]) => ({ id, map, timeout, inactivityTimeout }));
  }

  /** Puts back a map read from disk, with the times its map_meta reports. */
  load(dumped: DumpedMap, task: MapTask): void {
    const { id, map, timeout, inactivityTimeout } = dumped;
    this.send(["load", id, map, timeout, inactivityTimeout, task.creationMs, task.lastEventMs]);
  }

  delete(ids: readonly string[]): void {
    if (ids.length > 0) this.send(["delete", ...ids]);
  }

  clear(): void {
    this.send(["clear"]);
  }

  release(): void {
    this.command.release();
  }

  private send(command: unknown[]): string {
    currentArgument = JSON.stringify(command);
    try {
      return this.command.call();
    } finally {
      currentArgument = "";
    }
  }
}

/** The message of a Ruby error raised while creating a script (RbError text carries class and backtrace). */
function rubyMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
