// Runs `sluice broker` as a child process for real-client tests and benchmarks: start on a free port,
// wait for the ready line, stop cleanly, kill -9, restart on the same port and data directory.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const sluiceBin = join(repoRoot, "bin", "sluice.js");

const readyPattern = /^sluice broker ready: kafka on 127\.0\.0\.1:(\d+), \[::1\]:\d+ \(data (.*)\)$/;
/** Captured stderr kept per broker process; older output is dropped to bound memory. */
const stderrKeptBytesMax = 4 * 1024 * 1024;

export interface BrokerOptions {
  /** 0 (default) lets the broker pick a free port. */
  port?: number;
  /** A fresh temporary directory when omitted; it is removed by cleanup(). */
  dataDir?: string;
  /** Extra `-c key=value` settings. */
  config?: Record<string, string>;
  readyTimeoutMs?: number;
}

export class BrokerProcess {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<number | null> = Promise.resolve(null);
  private stderrText = "";
  port: number;
  readonly dataDir: string;
  private readonly ownsDataDir: boolean;

  private constructor(private readonly options: BrokerOptions) {
    this.port = options.port ?? 0;
    this.ownsDataDir = options.dataDir === undefined;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "sluice-broker-"));
  }

  static async start(options: BrokerOptions = {}): Promise<BrokerProcess> {
    const broker = new BrokerProcess(options);
    await broker.launch();
    return broker;
  }

  /** Address for Kafka clients; the broker advertises `localhost`. */
  get bootstrap(): string {
    return `localhost:${this.port}`;
  }

  /** Everything the broker wrote to stderr, across restarts (the tail if it was long). */
  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** SIGTERM and wait for the exit; returns the exit code (null if killed by a signal). */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exitPromise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Simulates a crash: no chance to flush or close files. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill("SIGKILL");
    await this.exitPromise;
  }

  /** Starts again on the same port and data directory (stopping it cleanly first if running). */
  async restart(): Promise<void> {
    if (this.child) await this.stop();
    await this.launch();
  }

  /** Stops the broker and removes the data directory if this helper created it. */
  async cleanup(): Promise<void> {
    if (this.child) await this.stop();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  private appendStderr(chunk: string): void {
    this.stderrText += chunk;
    if (this.stderrText.length > stderrKeptBytesMax)
      this.stderrText = this.stderrText.slice(-stderrKeptBytesMax);
  }

  private launch(): Promise<void> {
    const args = [sluiceBin, "broker", "--data-dir", this.dataDir, "--port", String(this.port)];
    for (const [key, value] of Object.entries(this.options.config ?? {})) args.push("-c", `${key}=${value}`);
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => this.appendStderr(chunk));
    this.exitPromise = new Promise((resolve) => {
      child.on("exit", (code) => {
        if (this.child === child) this.child = null;
        resolve(code);
      });
    });
    return this.waitReady(child, this.options.readyTimeoutMs ?? 30_000);
  }

  private waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let stdoutText = "";
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new Error(`sluice broker did not become ready: ${why}\n--- stderr ---\n${this.stderrText}`));
      };
      const timer = setTimeout(() => fail(`no ready line within ${timeoutMs} ms`), timeoutMs);
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        stdoutText += chunk;
        const newline = stdoutText.indexOf("\n");
        if (newline < 0 || settled) return;
        const match = readyPattern.exec(stdoutText.slice(0, newline));
        if (!match)
          return fail(`unexpected first stdout line: ${JSON.stringify(stdoutText.slice(0, newline))}`);
        settled = true;
        clearTimeout(timer);
        this.port = Number(match[1]);
        resolve();
      });
      child.on("exit", (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
      child.on("error", (err) => fail(err.message));
    });
  }
}

/** True when nothing listens on 127.0.0.1:port (the seed producer needs 9092 exactly). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
