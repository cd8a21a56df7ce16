// The `pipe` input: runs a long-lived shell command and turns each line it writes to stdout into an event; when
// the command exits it is started again ten seconds later, as Logstash does, until the pipeline stops.

import { type ChildProcess, spawn } from "node:child_process";
import { hostname } from "node:os";
import { limits } from "../../../common/limits.js";
import type { Event } from "../../event/index.js";
import type { Codec, Decoder, Input, InputSink, InputSpec, PluginContext } from "../api.js";
import { LineSplitter } from "../codecs/line-splitter.js";

/** Logstash waits this long before running an exited command again. */
export const pipeRestartDelayMs = 10_000;
const newline = Buffer.from("\n");

interface PipeFields {
  host: string;
  commandLine: string;
}

export class PipeInput implements Input {
  private readonly host = hostname();
  private readonly fields: PipeFields;
  private child: ChildProcess | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly command: string,
    private readonly codec: Codec,
    private readonly context: PluginContext,
    private readonly restartDelayMs = pipeRestartDelayMs,
  ) {
    const ecs = context.ecsCompatibility !== "disabled";
    this.fields = ecs
      ? { host: "[host][name]", commandLine: "[process][command_line]" }
      : { host: "host", commandLine: "command" };
  }

  async run(sink: InputSink): Promise<void> {
    while (!this.stopped && !sink.stopping) {
      try {
        const code = await this.runOnce(sink);
        this.context.logger.info("pipe command exited", { id: this.context.id, command: this.command, code });
      } catch (err) {
        this.context.logger.error("Exception while running command", { id: this.context.id, err });
        this.context.countFailure("command_failed");
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.restartDelayMs);
      });
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
    // Logstash kills the command outright; its own process group takes what the shell started along.
    const pid = this.child?.pid;
    if (pid !== undefined && this.child?.exitCode === null) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }

  /** Runs the command once; resolves with its exit code (or signal) once its output is read. */
  private runOnce(sink: InputSink): Promise<number | string | null> {
    const child = spawn("/bin/sh", ["-c", this.command], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.child = child;
    const stdout = child.stdout!;
    let waiting = false;
    const decoder = this.codec.createDecoder((event) => {
      this.decorate(event);
      if (sink.push(event) || waiting) return;
      waiting = true;
      stdout.pause();
      void sink.ready().then(() => {
        waiting = false;
        stdout.resume();
      });
    });
    const splitter = this.splitterFor(decoder);
    stdout.on("data", (chunk: Buffer) => splitter.write(chunk));
    child.stderr!.on("data", (chunk: Buffer) =>
      this.context.logger.warn("pipe command wrote to stderr", {
        id: this.context.id,
        stderr: chunk.toString("utf8").trimEnd(),
      }),
    );
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, signal) => {
        const rest = splitter.flush();
        if (rest.length > 0) this.decodeLine(decoder, rest);
        this.safely(() => decoder.end());
        resolve(code ?? signal);
      });
    });
  }

  private splitterFor(decoder: Decoder): LineSplitter {
    return new LineSplitter("\n", limits.codecLineBytesMax, {
      line: (bytes) => this.decodeLine(decoder, bytes),
      overflow: (prefix) => {
        this.context.logger.warn("pipe command line longer than the limit; kept its start", {
          id: this.context.id,
          limit_bytes: limits.codecLineBytesMax,
        });
        this.context.countFailure("line_too_long");
        this.decodeLine(decoder, prefix);
      },
    });
  }

  /** Each line without its newline, as Logstash's chomp; codecs that split lines themselves get it back. */
  private decodeLine(decoder: Decoder, line: Buffer): void {
    const chomped = line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
    this.safely(() => decoder.write(this.codec.splitsLines ? Buffer.concat([chomped, newline]) : chomped));
  }

  private safely(action: () => void): void {
    try {
      action();
    } catch (err) {
      this.context.logger.warn("pipe input codec failed", { id: this.context.id, err });
      this.context.countFailure("codec_error");
    }
  }

  private decorate(event: Event): void {
    if (!event.includes(this.fields.host)) event.set(this.fields.host, this.host);
    if (!event.includes(this.fields.commandLine)) event.set(this.fields.commandLine, this.command);
  }
}

export const pipeInput: InputSpec = {
  kind: "input",
  name: "pipe",
  doc:
    "Runs a command through the shell and reads events from its output, one line at a time; the command is " +
    "started again 10 seconds after it exits.",
  defaultCodec: "plain",
  options: {
    command: { type: "string", required: true, doc: "Command line run with /bin/sh -c; its stdout is read." },
  },
  create(options, context) {
    return new PipeInput(options.string("command"), options.codec(), context);
  },
};
