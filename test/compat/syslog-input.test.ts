// Real syslog senders against the syslog input: util-linux's logger (bsdutils) writes RFC3164 over TCP and UDP,
// and rsyslogd forwards in its traditional format; every message must parse without a grok failure.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event } from "../../src/pipeline/event/index.js";
import { plainCodec } from "../../src/pipeline/plugins/codecs/plain.js";
import {
  makeCodec,
  RecordingSink,
  recordingContext,
  waitFor,
} from "../../src/pipeline/plugins/codecs/test-support.js";
import { type SyslogInput, syslogInput } from "../../src/pipeline/plugins/inputs/syslog.js";
import { type OptionValue, ResolvedOptions } from "../../src/pipeline/plugins/options.js";

const run = promisify(execFile);

async function hasProgram(name: string): Promise<boolean> {
  try {
    await run("sh", ["-c", `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

function optionsOf(given: Record<string, OptionValue>, context: ReturnType<typeof recordingContext>) {
  const values: Record<string, OptionValue> = {};
  for (const [name, spec] of Object.entries(syslogInput.options))
    if (spec.default !== undefined) values[name] = spec.default;
  return ResolvedOptions.of({ ...values, ...given }, makeCodec(plainCodec, {}, context));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const byMessage = (events: Event[], text: string) =>
  events.find((e) => String(e.get("message")).includes(text));

describe("syslog input with logger and rsyslog", () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-syslog-compat-"));
  const context = recordingContext("v8");
  const sink = new RecordingSink();
  const children: ChildProcess[] = [];
  let input: SyslogInput;
  let running: Promise<void>;
  let port = 0;

  beforeAll(async () => {
    for (const [program, pkg] of [
      ["logger", "bsdutils"],
      ["rsyslogd", "rsyslog"],
    ])
      if (!(await hasProgram(program))) throw new Error(`${program} is missing: apt-get install ${pkg}`);
    input = syslogInput.create(optionsOf({ host: "127.0.0.1", port: 0 }, context), context) as SyslogInput;
    running = input.run(sink);
    port = (await input.listening).port;
  });

  afterAll(async () => {
    for (const child of children) child.kill("SIGTERM");
    await input?.stop();
    await running;
    rmSync(dir, { recursive: true, force: true });
  });

  it("parses logger's RFC3164 messages over TCP and UDP", async () => {
    const common = ["--rfc3164", "-n", "127.0.0.1", "-P", String(port), "-t", "myapp"];
    await run("logger", [...common, "-T", "-i", "-p", "local3.warning", "hello over tcp"]);
    await run("logger", [...common, "-d", "-p", "user.notice", "hello over udp"]);
    await waitFor(() => sink.events.length >= 2, 10_000);
    const tcp = byMessage(sink.events, "hello over tcp")!;
    expect(tcp.get("tags")).toBeUndefined();
    expect(tcp.get("message")).toBe("hello over tcp\n");
    expect(tcp.get("[process][name]")).toBe("myapp");
    expect(typeof tcp.get("[process][pid]")).toBe("number");
    expect(tcp.get("[log][syslog][facility][name]")).toBe("local3");
    expect(tcp.get("[log][syslog][severity][name]")).toBe("Warning");
    expect(tcp.get("[host][ip]")).toBe("127.0.0.1");
    const udp = byMessage(sink.events, "hello over udp")!;
    expect(udp.get("tags")).toBeUndefined();
    expect(udp.get("message")).toBe("hello over udp");
    expect(udp.get("[log][syslog][priority]")).toBe(13);
  });

  it("parses what rsyslogd forwards in its traditional format", async () => {
    const inPort = await freePort();
    const config = join(dir, "rsyslog.conf");
    writeFileSync(
      config,
      [
        `global(workDirectory="${dir}")`,
        `module(load="imtcp")`,
        `ruleset(name="forward") { action(type="omfwd" target="127.0.0.1" port="${port}" protocol="tcp" template="RSYSLOG_TraditionalForwardFormat") }`,
        `input(type="imtcp" port="${inPort}" address="127.0.0.1" ruleset="forward")`,
        "",
      ].join("\n"),
    );
    const pidFile = join(dir, "rsyslog.pid");
    const child = spawn("rsyslogd", ["-n", "-f", config, "-i", pidFile], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(child);
    await waitFor(() => child.exitCode !== null || existsSync(pidFile), 10_000);
    expect(child.exitCode).toBeNull();
    const socket = connect(inPort, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    await new Promise<void>((resolve) =>
      socket.end("<134>Nov 25 13:00:00 web-1 app[42]: forwarded line\n", resolve),
    );
    await waitFor(() => byMessage(sink.events, "forwarded line") !== undefined, 15_000);
    const event = byMessage(sink.events, "forwarded line")!;
    expect(event.get("tags")).toBeUndefined();
    expect(event.get("[host][hostname]")).toBe("web-1");
    expect(event.get("[process]")).toEqual({ name: "app", pid: 42 });
    expect(event.get("[log][syslog][priority]")).toBe(134);
  }, 30_000);
});
