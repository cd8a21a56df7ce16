// Runs the built `sluice` command (bin/sluice.js → dist/, so `npm run build` first, as `npm test` does) against
// a broker it starts with `sluice broker --port 0`.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "..", "bin", "sluice.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], input?: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** Starts `sluice broker` and resolves with its ready line once printed. */
function startBroker(dataDir: string): Promise<{ child: ChildProcess; line: string; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      bin,
      "broker",
      "--data-dir",
      dataDir,
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--log-level",
      "warn",
    ]);
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no ready line; stdout: ${out}`)), 30_000);
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("sluice broker ready:"));
      const port = line ? /127\.0\.0\.1:(\d+)/.exec(line)?.[1] : undefined;
      if (line && port) {
        clearTimeout(timer);
        resolve({ child, line, port: Number(port) });
      }
    });
    child.on("exit", (code) => reject(new Error(`broker exited early with ${code}; stdout: ${out}`)));
  });
}

let dataDir: string;
let broker: { child: ChildProcess; line: string; port: number };
let env: Record<string, string>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sluice-cli-"));
  broker = await startBroker(join(dataDir, "data"));
  env = { SLUICE_BOOTSTRAP: `127.0.0.1:${broker.port}` };
});

afterAll(async () => {
  if (broker && broker.child.exitCode === null) broker.child.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

describe("sluice CLI", () => {
  it("prints exactly one ready line with the real port and data dir", () => {
    expect(broker.line).toBe(
      `sluice broker ready: kafka on 127.0.0.1:${broker.port} (data ${join(dataDir, "data")})`,
    );
    expect(broker.port).toBeGreaterThan(0);
  });

  it("creates, lists, describes, alters and deletes a topic", async () => {
    const created = await run(
      ["topic", "create", "cli-t", "-p", "2", "-c", "retention.ms=60000"],
      undefined,
      env,
    );
    expect(created).toMatchObject({ code: 0, stdout: "Created topic cli-t.\n" });
    expect((await run(["topic", "list"], undefined, env)).stdout.split("\n")).toContain("cli-t");

    const described = await run(["topic", "describe", "cli-t"], undefined, env);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(
      /^Topic: cli-t\tPartitions: 2\tReplicationFactor: 1\tConfigs: retention.ms=60000\n/,
    );
    expect(described.stdout).toContain("Partition: 1\tLeader: 0");

    expect(
      (
        await run(
          ["topic", "alter", "cli-t", "--partitions", "3", "--delete-config", "retention.ms"],
          undefined,
          env,
        )
      ).code,
    ).toBe(0);
    const json = JSON.parse((await run(["topic", "describe", "cli-t", "--json"], undefined, env)).stdout);
    expect(json.partitions).toHaveLength(3);

    const again = await run(["topic", "create", "cli-t"], undefined, env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/TOPIC_ALREADY_EXISTS/);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);

    expect((await run(["topic", "delete", "cli-t"], undefined, env)).code).toBe(0);
    expect((await run(["topic", "list"], undefined, env)).stdout.split("\n")).not.toContain("cli-t");
  });

  it("produces lines and consumes them back as JSON with -e", async () => {
    expect((await run(["topic", "create", "lines", "-p", "1"], undefined, env)).code).toBe(0);
    const produced = await run(
      ["produce", "lines", "-K", ":", "-H", "src=test", "-z", "lz4"],
      "k1:one\ntwo\n\nk3:three\n",
      env,
    );
    expect(produced.code).toBe(0);
    expect(produced.stderr).toMatch(/produced 3 records/);

    const consumed = await run(["consume", "lines", "-e", "--format", "json"], undefined, env);
    expect(consumed.code).toBe(0);
    const records = consumed.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records.map((r) => [r.offset, r.key, r.value])).toEqual([
      [0, "k1", "one"],
      [1, null, "two"],
      [2, "k3", "three"],
    ]);
    expect(records[0]).toMatchObject({ topic: "lines", partition: 0, headers: { src: "test" } });

    const tail = await run(["consume", "lines", "-e", "-o", "-1", "-K", "="], undefined, env);
    expect(tail.stdout).toBe("k3=three\n");
    const counted = await run(["consume", "lines", "-c", "2"], undefined, env);
    expect(counted).toMatchObject({ code: 0, stdout: "one\ntwo\n" });
  });

  it("auto-creates a topic on produce when the broker allows it", async () => {
    expect((await run(["produce", "auto-created"], "a\nb\n", env)).code).toBe(0);
    const consumed = await run(["consume", "auto-created", "-e"], undefined, env);
    expect(consumed.stdout).toBe("a\nb\n");
  });

  it("exits 2 on usage errors and 1 on operating errors", async () => {
    expect((await run(["consume", "x", "-o", "yesterday"], undefined, env)).code).toBe(2);
    expect((await run(["topic", "frobnicate"], undefined, env)).code).toBe(2);
    const unreachable = await run(["topic", "list", "-b", "127.0.0.1:1"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^sluice: .*127\.0\.0\.1:1/);
  });

  it("shuts the broker down cleanly on SIGTERM with exit code 0", async () => {
    const exited = new Promise<number | null>((resolve) => broker.child.on("exit", (code) => resolve(code)));
    broker.child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
