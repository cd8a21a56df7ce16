// The outputs configured from real pipeline text with the real codecs: options coerced by the registry, defaults
// and obsolete settings reported, and each output writing through its default codec.

import { readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildPlan, type PlanPlugin } from "../../config/index.js";
import { Event } from "../../event/index.js";
import type { Output } from "../api.js";
import { jsonCodec } from "../codecs/json.js";
import { jsonLinesCodec } from "../codecs/json_lines.js";
import { plainCodec } from "../codecs/plain.js";
import { rubydebugCodec } from "../codecs/rubydebug.js";
import { PluginRegistry, quietContext } from "../registry.js";
import { recordingContext } from "./common/test-support.js";
import { fileOutput } from "./file.js";
import { httpOutput } from "./http.js";
import { nullOutput } from "./null.js";
import { StdoutOutput, stdoutOutput } from "./stdout.js";
import { tcpOutput } from "./tcp.js";

const registry = new PluginRegistry([
  jsonCodec,
  jsonLinesCodec,
  plainCodec,
  rubydebugCodec,
  fileOutput,
  httpOutput,
  nullOutput,
  stdoutOutput,
  tcpOutput,
]);

function outputsOf(text: string): PlanPlugin[] {
  const { plan, diagnostics } = buildPlan([{ file: "t.conf", text }]);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const section = plan!.sections.find((s) => s.type === "output")!;
  return section.body as PlanPlugin[];
}

function resolveOne(text: string) {
  const outcome = registry.resolve(outputsOf(text)[0]!);
  return outcome;
}

describe("outputs configured from pipeline text", () => {
  it("validates a realistic configuration of every output without diagnostics", () => {
    const plugins = outputsOf(`output {
      stdout {}
      null {}
      file { path => "/tmp/sluice-%{type}-%{+YYYY-MM-dd}.log" gzip => true file_mode => 0640 }
      tcp { host => "127.0.0.1" port => 5000 mode => "server" }
      http { url => "http://localhost:9200/%{type}" http_method => "post" format => "json_batch"
             retryable_codes => [409, 503] headers => { "X-Source" => "%{host}" } }
    }`);
    for (const plugin of plugins) expect(registry.resolve(plugin).diagnostics).toEqual([]);
  });

  it("reports obsolete and missing settings", () => {
    const obsolete = resolveOne(`output { file { path => "/tmp/x" message_format => "%{message}" } }`);
    expect(obsolete.diagnostics.map((d) => d.code)).toEqual(["obsolete-option"]);
    const tcpOld = resolveOne(`output { tcp { host => "h" port => 1 ssl_cacert => "/x" } }`);
    expect(tcpOld.diagnostics.map((d) => d.code)).toEqual(["obsolete-option"]);
    const missing = resolveOne(`output { http { url => "http://x" } }`);
    expect(missing.diagnostics.map((d) => d.code)).toEqual(["missing-option"]);
    const badMethod = resolveOne(`output { http { url => "http://x" http_method => "fetch" } }`);
    expect(badMethod.diagnostics.map((d) => d.code)).toEqual(["invalid-option"]);
  });

  it("file: json_lines by default, octal modes as written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-outputs-config-"));
    try {
      const { resolved } = resolveOne(
        `output { file { path => "${dir}/%{kind}.log" flush_interval => 0 file_mode => 0640 } }`,
      );
      const { context } = recordingContext();
      const output = resolved!.spec.create(resolved!.options, context) as ReturnType<
        typeof fileOutput.create
      >;
      await output.receive([new Event({ kind: "a", message: "hi" })]);
      await output.close?.();
      const text = readFileSync(join(dir, "a.log"), "utf8");
      expect(text.endsWith("\n")).toBe(true);
      expect(JSON.parse(text).message).toBe("hi");
      const { statSync } = await import("node:fs");
      expect((statSync(join(dir, "a.log")).mode & 0o777).toString(8)).toBe("640");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stdout: rubydebug by default", async () => {
    const { resolved } = resolveOne(`output { stdout {} }`);
    const stream = new PassThrough();
    const output = new StdoutOutput(
      resolved!.options.codec(),
      quietContext(stdoutOutput, resolved!.options),
      stream,
    );
    await output.receive([new Event({ message: "debug me" })]);
    const text = stream.read().toString();
    expect(text).toContain('"message" => "debug me"');
    output.close();
  });

  it("tcp: the json codec writes events back to back, json_lines one per line", async () => {
    let received = "";
    const server = createServer((s) => s.on("data", (c) => (received += c.toString())));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const codec of ["json", "json_lines"]) {
        received = "";
        const { resolved } = resolveOne(
          `output { tcp { host => "127.0.0.1" port => ${port} codec => ${codec} } }`,
        );
        const output = resolved!.spec.create(resolved!.options, recordingContext().context) as Output;
        await output.receive([new Event({ n: 1 }), new Event({ n: 2 })]);
        const deadline = Date.now() + 2000;
        while (!received.includes('"n":2') && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 10));
        if (codec === "json") expect(received).toMatch(/\}\{/);
        else expect(received.trimEnd().split("\n")).toHaveLength(2);
        await output.close?.();
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
