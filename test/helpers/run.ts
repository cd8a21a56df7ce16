// Runs the external clients (kcat, the Debian Python clients) with a deadline and captured output.
// A non-zero exit is returned, not thrown, so tests can assert on it and show stderr when it matters.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./broker-process.js";

/** The Debian Python that sees python3-kafka and python3-confluent-kafka (the PATH python3 may not). */
export const systemPython = "/usr/bin/python3";
export const pyClientScript = join(repoRoot, "test", "compat", "py", "client.py");
/** Output kept per command; far above what a test's records produce. */
const commandOutputBytesMax = 256 * 1024 * 1024;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? repoRoot, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      if (stdout.length < commandOutputBytesMax) stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      if (stderr.length < commandOutputBytesMax) stderr += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: 127, signal: null, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on("error", () => {}); // the command may exit before reading all input
    child.stdin.end(options.input ?? "");
  });
}

/** Runs and throws (with stderr) unless the command exits 0. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (code ${result.code}, signal ${result.signal}):\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Calls one command of test/compat/py/client.py with a JSON request; returns its JSON answer. */
export async function pyClient<T>(command: string, request: object, timeoutMs = 120_000): Promise<T> {
  const out = await runOk(systemPython, [pyClientScript, command], {
    input: JSON.stringify(request),
    timeoutMs,
  });
  const lines = out.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** What is missing for the compat suite; empty when every client is installed. */
export async function missingTools(): Promise<string[]> {
  const missing: string[] = [];
  const kcat = await run("kcat", ["-V"], { timeoutMs: 10_000 });
  if (kcat.code !== 0) missing.push("kcat (apt-get install kcat)");
  const py = await run(
    systemPython,
    ["-c", "import kafka, confluent_kafka, snappy, lz4, zstandard, elasticsearch"],
    {
      timeoutMs: 20_000,
    },
  );
  if (py.code !== 0) {
    missing.push(
      `${systemPython} with kafka, confluent_kafka, snappy, lz4, zstandard, elasticsearch ` +
        `(apt-get install python3-kafka python3-confluent-kafka python3-snappy python3-lz4 python3-zstandard python3-elasticsearch): ` +
        py.stderr.trim().split("\n").pop(),
    );
  }
  const rsyslog = await run("rsyslogd", ["-v"], { timeoutMs: 10_000 });
  if (rsyslog.code !== 0) missing.push("rsyslogd (apt-get install rsyslog)");
  const logger = await run("logger", ["--version"], { timeoutMs: 10_000 });
  if (logger.code !== 0) missing.push("logger (apt-get install bsdutils)");
  const memcached = await run("/usr/bin/memcached", ["-V"], { timeoutMs: 10_000 });
  if (memcached.code !== 0) missing.push("memcached (apt-get install memcached)");
  const rabbitmq = await run(
    "sh",
    [
      "-c",
      "ls /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmqctl",
    ],
    { timeoutMs: 10_000 },
  );
  if (rabbitmq.code !== 0) missing.push("rabbitmq-server (apt-get install rabbitmq-server)");
  return missing;
}
