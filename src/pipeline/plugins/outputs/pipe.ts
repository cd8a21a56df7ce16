// The `pipe` output: writes each event as a line to the stdin of a command, one long-lived child per distinct
// (sprintf'd) command line; children idle for `ttl` seconds are closed, a dead one is started again on demand.

import { type ChildProcess, spawn } from "node:child_process";
import { limits } from "../../../common/limits.js";
import type { Event } from "../../event/index.js";
import type { Output, OutputSpec, PluginContext } from "../api.js";

/** How long close() waits for a child to exit after its stdin is closed, before killing it. */
const closeWaitMs = 10_000;

/** One running command and whether it was written to since the last stale-pipe sweep. */
class PipeChild {
  active = false;
  dead = false;
  private readonly exited: Promise<void>;

  constructor(
    readonly label: string,
    private readonly child: ChildProcess,
    context: PluginContext,
  ) {
    this.exited = new Promise((resolve) => child.once("close", () => resolve()));
    child.once("close", (code, signal) => {
      this.dead = true;
      context.logger.info("pipe command exited", { id: context.id, command: label, code, signal });
    });
    child.once("error", (err) => {
      this.dead = true;
      context.logger.error("could not run pipe command", {
        id: context.id,
        command: label,
        err: err.message,
      });
      context.countFailure("pipe_spawn");
    });
    child.stdin!.on("error", (err) => {
      this.dead = true;
      context.logger.error("Error writing to pipe, closing pipe.", {
        id: context.id,
        command: label,
        err: err.message,
      });
      context.countFailure("pipe_write");
    });
    child.stderr!.on("data", (chunk: Buffer) =>
      context.logger.warn("pipe command wrote to stderr", {
        id: context.id,
        command: label,
        stderr: chunk.toString("utf8").trimEnd(),
      }),
    );
  }

  /** Writes one line; waits while the child has more than the limit of unread bytes. */
  async write(text: string): Promise<void> {
    const stdin = this.child.stdin!;
    stdin.write(text);
    this.active = true;
    if (stdin.writableLength <= limits.pipeOutputPendingBytesMax) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        stdin.off("drain", done);
        resolve();
      };
      stdin.once("drain", done);
      this.exited.then(done);
    });
  }

  /** Closes stdin and waits for the command to finish (killing it if it will not). */
  async close(): Promise<void> {
    this.child.stdin!.end();
    if (this.dead) return;
    const timer = setTimeout(() => this.child.kill("SIGTERM"), closeWaitMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export class PipeOutput implements Output {
  private readonly pipes = new Map<string, PipeChild>();
  private lastSweep = Date.now();

  constructor(
    private readonly command: readonly string[],
    private readonly messageFormat: string | undefined,
    private readonly ttlSeconds: number,
    private readonly context: PluginContext,
  ) {}

  async receive(events: Event[]): Promise<void> {
    for (const event of events) {
      const argv = this.command.map((part) => event.sprintf(part));
      const text =
        this.messageFormat === undefined
          ? `${JSON.stringify(event)}\n`
          : `${event.sprintf(this.messageFormat)}\n`;
      await this.pipeFor(argv).write(text);
      this.closeStalePipes();
    }
  }

  async close(): Promise<void> {
    const pipes = [...this.pipes.values()];
    this.pipes.clear();
    await Promise.all(pipes.map((pipe) => pipe.close()));
  }

  /** How many commands are running (tests, monitoring). */
  get openPipes(): number {
    return this.pipes.size;
  }

  private pipeFor(argv: string[]): PipeChild {
    const key = JSON.stringify(argv);
    const existing = this.pipes.get(key);
    if (existing !== undefined && !existing.dead) return existing;
    const label = argv.join(" ");
    this.context.logger.info("Opening pipe", { id: this.context.id, command: label });
    // A single command line goes through the shell (pipe output 3.x); an array runs its program directly (4.x).
    const [program, ...args] = argv.length === 1 ? ["/bin/sh", "-c", argv[0]!] : argv;
    const child = spawn(program!, args, { stdio: ["pipe", "ignore", "pipe"] });
    const pipe = new PipeChild(label, child, this.context);
    this.pipes.set(key, pipe);
    return pipe;
  }

  /** Every ttl seconds (checked as events arrive), pipes not written to since the last sweep are closed. */
  private closeStalePipes(): void {
    if (this.ttlSeconds <= 0) return;
    const now = Date.now();
    if (now - this.lastSweep < this.ttlSeconds * 1000) return;
    for (const [key, pipe] of this.pipes) {
      if (pipe.active && !pipe.dead) {
        pipe.active = false;
        continue;
      }
      this.context.logger.info("Closing idle pipe", { id: this.context.id, command: pipe.label });
      this.pipes.delete(key);
      void pipe.close();
    }
    this.lastSweep = now;
  }
}

export const pipeOutput: OutputSpec = {
  kind: "output",
  name: "pipe",
  doc:
    "Writes each event as a line (JSON, or message_format) to the stdin of a command; each distinct command " +
    "line (fields may be used in it) gets its own long-lived process.",
  defaultCodec: "plain",
  options: {
    command: {
      type: "array",
      required: true,
      doc: "Command to pipe to: one string runs through /bin/sh, several run the program directly; sprintf'd.",
    },
    message_format: { type: "string", doc: "sprintf format of each line (default: the event as JSON)." },
    ttl: {
      type: "number",
      default: 10,
      doc: "Seconds after which an unused pipe is closed; 0 or -1: never.",
    },
  },
  create(options, context) {
    const command = options.stringArray("command");
    if (command.length === 0) throw new Error("The 'command' setting must not be empty");
    if (options.has("codec"))
      context.logger.warn("the pipe output ignores its codec: it writes JSON or message_format", {
        id: context.id,
      });
    return new PipeOutput(command, options.optionalString("message_format"), options.number("ttl"), context);
  },
};
