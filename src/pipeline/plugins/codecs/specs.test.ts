import { describe, expect, it } from "vitest";
import { buildPlan, type PlanPlugin } from "../../config/index.js";
import { execInput } from "../inputs/exec.js";
import { generatorInput } from "../inputs/generator.js";
import { heartbeatInput } from "../inputs/heartbeat.js";
import { stdinInput } from "../inputs/stdin.js";
import { PluginRegistry, quietContext } from "../registry.js";
import { csvCodec } from "./csv.js";
import { dotsCodec } from "./dots.js";
import { jsonCodec } from "./json.js";
import { jsonLinesCodec } from "./json_lines.js";
import { lineCodec } from "./line.js";
import { MultilineCodec, multilineCodec } from "./multiline.js";
import { plainCodec } from "./plain.js";
import { rubydebugCodec } from "./rubydebug.js";

const registry = new PluginRegistry([
  plainCodec,
  lineCodec,
  jsonCodec,
  jsonLinesCodec,
  multilineCodec,
  rubydebugCodec,
  dotsCodec,
  csvCodec,
  stdinInput,
  generatorInput,
  heartbeatInput,
  execInput,
]);

function check(text: string) {
  const { plan, diagnostics } = buildPlan([{ file: "t.conf", text }]);
  expect(diagnostics).toEqual([]);
  return registry.check(plan);
}

describe("codec and input specs in a registry", () => {
  it("accept Logstash configurations unchanged", () => {
    const text = `input {
      stdin { codec => multiline { pattern => "^\\s" what => "previous" max_bytes => "2 mb" auto_flush_interval => 1 } }
      generator { count => 1 codec => json_lines { charset => "ISO-8859-1" } }
      heartbeat { interval => 5 sequence => "sequence" }
      exec { command => "uptime" interval => 30 codec => csv { columns => ["a", "b"] convert => { "a" => "integer" } } }
    }`;
    expect(check(text)).toEqual([]);
  });

  it("report unknown charsets, bad enums and codec create errors", () => {
    const bad = check(`input {
      stdin { codec => line { charset => "latin-nine" } }
      stdin { codec => multiline { pattern => "x" what => "sideways" } }
      stdin { codec => csv { convert => { "a" => "nope" } } }
    }`);
    expect(bad.map((d) => d.code)).toEqual(["invalid-option", "invalid-option", "plugin-config"]);
  });

  it("build the default codec of each input", () => {
    const { plan } = buildPlan([
      { file: "t.conf", text: 'input { stdin { codec => multiline { pattern => "^a" what => "next" } } }' },
    ]);
    const outcome = registry.resolve(plan.sections[0]!.body[0] as PlanPlugin, quietContext);
    expect(outcome.resolved!.options.codec()).toBeInstanceOf(MultilineCodec);
    expect([stdinInput, generatorInput, heartbeatInput, execInput].map((s) => s.defaultCodec)).toEqual([
      "line",
      "plain",
      "plain",
      "plain",
    ]);
  });
});
