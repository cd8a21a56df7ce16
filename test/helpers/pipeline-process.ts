// Runs `sluice run` as a child process for real-peer tests and benchmarks: start with a config string, wait for
// the "pipeline started" log line, stop with SIGTERM (which drains), collect stderr.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, sluiceBin } from "./broker-process.js";

const startedPattern = /pipeline.*started/i;
const stderrKeptBytesMax = 1024 * 1024;

export class PipelineProcess {
  private stderrText = "";
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderrText = (this.stderrText + chunk).slice(-stderrKeptBytesMax);
    });
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /** Starts `sluice run -e config` with extra flags; resolves once the pipeline reports it started. */
  static async start(
    config: string,
    flags: string[] = [],
    readyTimeoutMs = 20_000,
  ): Promise<PipelineProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), "sluice-pipeline-"));
    const child = spawn(
      process.execPath,
      [sluiceBin, "run", "--path.data", dataDir, ...flags, "-e", config],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const pipeline = new PipelineProcess(child, dataDir);
    const deadline = Date.now() + readyTimeoutMs;
    while (!startedPattern.test(pipeline.stderrText)) {
      if (child.exitCode !== null)
        throw new Error(`sluice run exited ${child.exitCode}:\n${pipeline.stderrText}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`sluice run did not start in ${readyTimeoutMs} ms:\n${pipeline.stderrText}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return pipeline;
  }

  get stderr(): string {
    return this.stderrText;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** SIGTERM (Logstash's graceful shutdown: drain, then exit); resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    const code = await this.exited;
    clearTimeout(timer);
    rmSync(this.dataDir, { recursive: true, force: true });
    return code;
  }
}
