// rsyslog as a real peer of the tcp and udp inputs: rsyslog receives syslog lines on its own imtcp port and
// forwards them with omfwd (TCP, then UDP) to `sluice run`, which writes each event to a file as JSON lines.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectToolsInstalled } from "../helpers/compat.js";
import { PipelineProcess } from "../helpers/pipeline-process.js";

const messageCount = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function readEvents(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** rsyslogd listening on `inPort` (imtcp) and forwarding everything to 127.0.0.1:`outPort` over `protocol`. */
async function startForwarder(
  dir: string,
  inPort: number,
  outPort: number,
  protocol: "tcp" | "udp",
): Promise<ChildProcess> {
  const config = join(dir, `rsyslog-${protocol}.conf`);
  writeFileSync(
    config,
    [
      `global(workDirectory="${dir}")`,
      `module(load="imtcp")`,
      `ruleset(name="forward") { action(type="omfwd" target="127.0.0.1" port="${outPort}" protocol="${protocol}" template="RSYSLOG_TraditionalForwardFormat") }`,
      `input(type="imtcp" port="${inPort}" address="127.0.0.1" ruleset="forward")`,
      "",
    ].join("\n"),
  );
  const child = spawn("rsyslogd", ["-n", "-f", config, "-i", join(dir, `rsyslog-${protocol}.pid`)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitFor(
    () => child.exitCode !== null || existsSync(join(dir, `rsyslog-${protocol}.pid`)),
    10_000,
    "rsyslogd",
  );
  expect(child.exitCode).toBeNull();
  return child;
}

async function sendSyslog(port: number, tag: string, count: number): Promise<void> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  for (let i = 0; i < count; i++) {
    socket.write(`<134>Nov 25 13:00:00 web-1 app[42]: ${tag} message ${i} with "quotes" and ünïcödé\n`);
    // UDP forwarding drops datagrams under bursts; a short pause per ten keeps the run loss-free on loopback.
    if (i % 10 === 9) await sleep(2);
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

describe("rsyslog forwarding into sluice run", () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-rsyslog-"));
  const children: ChildProcess[] = [];
  let pipeline: PipelineProcess;
  let tcpPort = 0;
  let udpPort = 0;
  const tcpFile = join(dir, "tcp.jsonl");
  const udpFile = join(dir, "udp.jsonl");

  beforeAll(async () => {
    await expectToolsInstalled();
    tcpPort = await freePort();
    udpPort = await freePort();
    pipeline = await PipelineProcess.start(
      `input { tcp { port => ${tcpPort} host => "127.0.0.1" type => "tcp" } udp { port => ${udpPort} host => "127.0.0.1" type => "udp" } }
       output {
         if [type] == "tcp" { file { path => "${tcpFile}" } }
         else { file { path => "${udpFile}" flush_interval => 0 } }
       }`,
      ["-w", "1"],
    );
  }, 60_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGTERM");
    await pipeline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const protocol of ["tcp", "udp"] as const) {
    it(`receives every message rsyslog forwards over ${protocol}, in order`, async () => {
      const inPort = await freePort();
      const child = await startForwarder(dir, inPort, protocol === "tcp" ? tcpPort : udpPort, protocol);
      children.push(child);
      await sendSyslog(inPort, protocol, messageCount);
      const file = protocol === "tcp" ? tcpFile : udpFile;
      await waitFor(
        () => readEvents(file).length >= messageCount,
        30_000,
        `${messageCount} ${protocol} events`,
      );
      const events = readEvents(file);
      expect(events).toHaveLength(messageCount);
      events.forEach((event, i) => {
        expect(event.type).toBe(protocol);
        expect(String(event.message)).toContain(
          `app[42]: ${protocol} message ${i} with "quotes" and ünïcödé`,
        );
        expect(String(event.message)).toMatch(/^<134>/);
        expect(typeof event["@timestamp"]).toBe("string");
      });
    }, 60_000);
  }
});
