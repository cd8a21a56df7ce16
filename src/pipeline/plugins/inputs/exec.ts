// The `exec` input: runs `command` through the shell every `interval` seconds or on a cron `schedule`, decodes
// its standard output through the codec and adds the host, command, exit code and run time as Logstash does.

import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { limits } from "../../../common/limits.js";
import type { Event } from "../../event/index.js";
import type { Codec, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import { sleep } from "../support/sleep.js";

/** Where the fields go: ECS names, or the names from before ECS. */
interface ExecFields {
  host: string;
  commandLine: string;
  exitCode: string;
  /** ECS: microseconds as an integer (Logstash's "nanos" are seconds * 1e6). */
  elapsedMicros: string | undefined;
  /** Before ECS: seconds as a float. */
  durationSeconds: string | undefined;
}

const ecsFields: ExecFields = {
  host: "[host][name]",
  commandLine: "[process][command_line]",
  exitCode: "[process][exit_code]",
  elapsedMicros: "[@metadata][input][exec][process][elapsed_time]",
  durationSeconds: undefined,
};

const legacyFields: ExecFields = {
  host: "host",
  commandLine: "command",
  exitCode: "[@metadata][exit_status]",
  elapsedMicros: undefined,
  durationSeconds: "[@metadata][duration]",
};

interface CommandResult {
  output: Buffer;
  exitCode: number | null;
}

export type ExecTiming = { intervalSeconds: number } | { schedule: CronSchedule };

export class ExecInput implements Input {
  private readonly abort = new AbortController();
  private readonly fields: ExecFields;
  private readonly host = hostname();

  constructor(
    private readonly command: string,
    private readonly timing: ExecTiming,
    private readonly codec: Codec,
    private readonly context: PluginContext,
  ) {
    this.fields = context.ecsCompatibility === "disabled" ? legacyFields : ecsFields;
  }

  async run(sink: InputSink): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted && !sink.stopping) {
      if ("schedule" in this.timing) {
        const now = new Date();
        const next = this.timing.schedule.next(now);
        if (next === undefined) {
          this.context.logger.warn("schedule never fires again; exec input stops", {
            plugin: this.context.id,
          });
          return;
        }
        await sleep(next.getTime() - now.getTime(), signal);
        if (signal.aborted) return;
        await this.execute(sink);
      } else {
        const seconds = await this.execute(sink);
        const rest = this.timing.intervalSeconds - seconds;
        if (rest <= 0) {
          this.context.logger.warn("Execution ran longer than the interval. Skipping sleep.", {
            plugin: this.context.id,
            command: this.command,
            duration: seconds,
            interval: this.timing.intervalSeconds,
          });
        }
        await sleep(rest * 1000, signal);
      }
    }
  }

  stop(): void {
    this.abort.abort();
  }

  /** Runs the command once and queues its events; returns how long it ran, in seconds. */
  async execute(sink: InputSink): Promise<number> {
    const start = process.hrtime.bigint();
    let result: CommandResult | undefined;
    try {
      result = await this.runCommand();
    } catch (err) {
      this.context.logger.error("Error while running command", {
        plugin: this.context.id,
        command: this.command,
        error: err,
      });
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result === undefined || this.abort.signal.aborted) return seconds;
    const events: Event[] = [];
    // Each run is its own source: what the codec holds at the end of the output is flushed with it.
    const decoder = this.codec.createDecoder((event) => events.push(event));
    decoder.write(result.output);
    decoder.end();
    for (const event of events) {
      this.addFields(event, result.exitCode, seconds);
      if (!sink.push(event)) await sink.ready();
    }
    return seconds;
  }

  private addFields(event: Event, exitCode: number | null, seconds: number): void {
    const { host, commandLine, exitCode: exitField, elapsedMicros, durationSeconds } = this.fields;
    try {
      if (!event.includes(host)) event.set(host, this.host);
      if (!event.includes(commandLine)) event.set(commandLine, this.command);
      if (!event.includes(exitField)) event.set(exitField, exitCode);
      if (elapsedMicros !== undefined) event.set(elapsedMicros, Math.trunc(seconds * 1_000_000));
      if (durationSeconds !== undefined) event.set(durationSeconds, seconds);
    } catch (err) {
      // a decoded `host` or `process` that is not an object cannot take the field; the event goes on without it
      this.context.logger.debug("could not add exec fields", { plugin: this.context.id, error: err });
    }
  }

  /** The command's standard output (up to the limit) and exit code (null when a signal ended it). */
  private runCommand(): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      // Its own process group, so stopping ends the shell and whatever it started, not only the shell.
      const child = spawn("/bin/sh", ["-c", this.command], {
        stdio: ["ignore", "pipe", "inherit"],
        detached: true,
      });
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      const kill = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
        child.stdout.destroy();
      };
      this.abort.signal.addEventListener("abort", kill, { once: true });
      child.stdout.on("data", (chunk: Buffer) => {
        const room = limits.execInputOutputBytesMax - kept;
        if (chunk.length > room) truncated = true;
        if (room <= 0) return;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        chunks.push(part);
        kept += part.length;
      });
      child.once("error", (err) => {
        this.abort.signal.removeEventListener("abort", kill);
        reject(err);
      });
      child.once("close", (code) => {
        this.abort.signal.removeEventListener("abort", kill);
        if (truncated)
          this.context.logger.warn("command output exceeds the limit; the rest was dropped", {
            plugin: this.context.id,
            limit_bytes: limits.execInputOutputBytesMax,
          });
        resolve({ output: Buffer.concat(chunks), exitCode: code });
      });
    });
  }
}

// ---------------------------------------------------------------- cron schedules

/** A parsed cron line: the instants it fires at. */
export interface CronSchedule {
  /** The first firing strictly after `after`, or undefined when there is none within five years. */
  next(after: Date): Date | undefined;
}

interface CronField {
  min: number;
  max: number;
  names?: readonly string[];
}

const cronFields: Record<"second" | "minute" | "hour" | "day" | "month" | "weekday", CronField> = {
  second: { min: 0, max: 59 },
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  day: { min: 1, max: 31 },
  month: {
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  weekday: { min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
};

/**
 * Parses a cron line as Logstash's scheduler (rufus) reads it: five fields (minute hour day month weekday) or
 * six with seconds first; `*`, `?`, numbers, month/day names, ranges, lists and `/step`; an optional trailing
 * `UTC`. Runs in local time otherwise. Throws with a clear message for anything else (`L`, `#`, time zones).
 */
export function parseCron(text: string): CronSchedule {
  const parts = text.trim().split(/\s+/);
  let utc = false;
  if (parts.length > 0 && /^(utc|etc\/utc|z|gmt)$/i.test(parts[parts.length - 1]!)) {
    utc = true;
    parts.pop();
  } else if (parts.length > 0 && /[a-z]+\/[a-z_]+/i.test(parts[parts.length - 1]!)) {
    throw new Error(`time zones other than UTC are not supported in schedule: ${JSON.stringify(text)}`);
  }
  if (parts.length !== 5 && parts.length !== 6)
    throw new Error(`schedule must be a cron line of 5 or 6 fields, got ${JSON.stringify(text)}`);
  const withSeconds = parts.length === 6;
  const [second, minute, hour, day, month, weekday] = withSeconds ? parts : ["0", ...parts];
  const sets = {
    second: parseCronField(second!, cronFields.second),
    minute: parseCronField(minute!, cronFields.minute),
    hour: parseCronField(hour!, cronFields.hour),
    day: parseCronField(day!, cronFields.day),
    month: parseCronField(month!, cronFields.month),
    weekday: parseCronField(weekday!, cronFields.weekday),
  };
  if (sets.weekday.has(7)) sets.weekday.add(0);
  const dayRestricted = day !== "*" && day !== "?";
  const weekdayRestricted = weekday !== "*" && weekday !== "?";
  return { next: (after) => nextFiring(after, sets, { utc, dayRestricted, weekdayRestricted }) };
}

function parseCronField(text: string, field: CronField): Set<number> {
  const values = new Set<number>();
  for (const item of text.toLowerCase().split(",")) {
    const match = /^(\*|\?|[a-z0-9]+)(?:-([a-z0-9]+))?(?:\/(\d+))?$/.exec(item);
    if (match === null) throw new Error(`unsupported cron field ${JSON.stringify(text)}`);
    const [, first, last, step] = match;
    const whole = first === "*" || first === "?";
    const from = whole ? field.min : cronValue(first!, field);
    const to = whole
      ? field.max
      : last !== undefined
        ? cronValue(last, field)
        : step !== undefined
          ? field.max
          : from;
    const stride = step === undefined ? 1 : Number(step);
    if (stride < 1 || from > to) throw new Error(`unsupported cron field ${JSON.stringify(text)}`);
    for (let value = from; value <= to; value += stride) values.add(value);
  }
  return values;
}

function cronValue(text: string, field: CronField): number {
  const named = field.names?.indexOf(text) ?? -1;
  const value =
    named >= 0 ? named + (field.min === 1 ? 1 : 0) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= field.min && value <= field.max))
    throw new Error(`cron value ${JSON.stringify(text)} is outside ${field.min}-${field.max}`);
  return value;
}

interface CronSets {
  second: Set<number>;
  minute: Set<number>;
  hour: Set<number>;
  day: Set<number>;
  month: Set<number>;
  weekday: Set<number>;
}

interface CronMode {
  utc: boolean;
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

/** Walks forward field by field (a month, a day, an hour, a minute, a second at a time) to the next match. */
function nextFiring(after: Date, sets: CronSets, mode: CronMode): Date | undefined {
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const get = mode.utc
    ? { month: () => t.getUTCMonth(), day: () => t.getUTCDate(), weekday: () => t.getUTCDay() }
    : { month: () => t.getMonth(), day: () => t.getDate(), weekday: () => t.getDay() };
  const hours = () => (mode.utc ? t.getUTCHours() : t.getHours());
  const minutes = () => (mode.utc ? t.getUTCMinutes() : t.getMinutes());
  const seconds = () => (mode.utc ? t.getUTCSeconds() : t.getSeconds());
  const set = (unit: "Month" | "Date" | "Hours" | "Minutes" | "Seconds", ...values: number[]) => {
    const name = `set${mode.utc ? "UTC" : ""}${unit}` as const;
    (t[name] as (...v: number[]) => number).apply(t, values);
  };
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!sets.month.has(get.month() + 1)) {
      set("Month", get.month() + 1, 1);
      set("Hours", 0, 0, 0);
      continue;
    }
    if (!dayMatches(get.day(), get.weekday(), sets, mode)) {
      set("Date", get.day() + 1);
      set("Hours", 0, 0, 0);
      continue;
    }
    if (!sets.hour.has(hours())) {
      set("Hours", hours() + 1, 0, 0);
      continue;
    }
    if (!sets.minute.has(minutes())) {
      set("Minutes", minutes() + 1, 0);
      continue;
    }
    if (!sets.second.has(seconds())) {
      set("Seconds", seconds() + 1);
      continue;
    }
    return t;
  }
  return undefined;
}

/** Like cron: when both day of month and weekday are restricted, either one matching is enough. */
function dayMatches(day: number, weekday: number, sets: CronSets, mode: CronMode): boolean {
  const dayOk = sets.day.has(day);
  const weekdayOk = sets.weekday.has(weekday);
  if (mode.dayRestricted && mode.weekdayRestricted) return dayOk || weekdayOk;
  return dayOk && weekdayOk;
}

export const execInput: InputSpec = {
  kind: "input",
  name: "exec",
  defaultCodec: "plain",
  doc: "Runs a shell command periodically and turns its output into events.",
  options: {
    command: { type: "string", required: true, doc: "Shell command to run." },
    interval: { type: "number", doc: "Seconds between runs (measured from the start of a run)." },
    schedule: { type: "string", doc: 'Cron line saying when to run, e.g. "*/5 * * * *".' },
  },
  create(options, context) {
    const interval = options.optionalNumber("interval");
    const schedule = options.optionalString("schedule");
    if ((interval === undefined) === (schedule === undefined))
      throw new Error("exec input: either 'interval' or 'schedule' option must be defined.");
    const timing: ExecTiming =
      interval !== undefined ? { intervalSeconds: interval } : { schedule: parseCron(schedule!) };
    return new ExecInput(options.string("command"), timing, options.codec(), context);
  },
};
