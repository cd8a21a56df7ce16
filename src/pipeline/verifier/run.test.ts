import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runTestCommand } from "../../cli/commands/test.js";
import type { FilterSpec, PluginSpec } from "../plugins/api.js";
import { jsonCodec } from "../plugins/codecs/json.js";
import { lineCodec } from "../plugins/codecs/line.js";
import { plainCodec } from "../plugins/codecs/plain.js";

/** `pass {}`: does nothing but succeed, so the common add_tag/add_field apply. */
const passFilter: FilterSpec = {
  kind: "filter",
  name: "pass",
  doc: "test filter",
  options: {},
  create: () => ({ filter: () => true }),
};

/** `copy { type => "x" }`: emits a clone with another type, as the clone filter does. */
const copyFilter: FilterSpec = {
  kind: "filter",
  name: "copy",
  doc: "test filter",
  options: { type_of_copy: { type: "string", default: "copy" } },
  create: (options) => ({
    filter: (event, emit) => {
      const copy = event.clone();
      copy.set("type", options.string("type_of_copy"));
      emit(copy);
      return true;
    },
  }),
};

const specs: PluginSpec[] = [plainCodec, lineCodec, jsonCodec, passFilter, copyFilter];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-verifier-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(entries: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(entries)) await writeFile(join(dir, name), text);
}

async function run(testcases: string, config: string | undefined, flags = {}) {
  let out = "";
  let err = "";
  const code = await runTestCommand(
    join(dir, testcases),
    config === undefined ? undefined : join(dir, config),
    flags,
    (s) => {
      out += s;
    },
    (s) => {
      err += s;
    },
    specs,
  );
  return { code, out, err };
}

const basicConfig = `
input { stdin { id => "in" type => "from_input" } }
filter { pass { id => "tagger" add_tag => ["seen"] add_field => { "[@metadata][hidden]" => "h" } } }
output {
  if [message] =~ /^second/ { stdout { id => "b_out" } }
  stdout { id => "a_out" }
}
`;

describe("sluice test", () => {
  it("passes when the events match, decoding lines with plain when the input names no codec", async () => {
    await files({
      "main.conf": basicConfig,
      "case.json": JSON.stringify({
        input_plugin: "in",
        ignore: ["@timestamp", "event"],
        fields: { host: "h1" },
        testcases: [
          {
            input: ["first\nline", "second"],
            expected: [
              { message: "first\nline", type: "from_input", tags: ["seen"], host: "h1" },
              { message: "second", type: "from_input", tags: ["seen"], host: "h1" },
              { message: "second", type: "from_input", tags: ["seen"], host: "h1" },
            ],
          },
        ],
      }),
    });
    const { code, out } = await run("case.json", "main.conf");
    expect(out).toContain("3 passed, 0 failed");
    expect(code).toBe(0);
  });

  it("fails with a unified diff and exit code 1", async () => {
    await files({
      "main.conf": basicConfig,
      "case.json": JSON.stringify({
        input_plugin: "in",
        ignore: ["@timestamp", "type", "tags", "event"],
        testcases: [{ description: "wrong text", input: ["actual"], expected: [{ message: "wanted" }] }],
      }),
    });
    const { code, out } = await run("case.json", "main.conf");
    expect(code).toBe(1);
    expect(out).toContain("FAIL");
    expect(out).toContain("(wrong text)");
    expect(out).toContain("--- expected\n+++ actual");
    expect(out).toContain('-  "message": "wanted"');
    expect(out).toContain('+  "message": "actual"');
    expect(out).toContain("0 passed, 1 failed");
  });

  it("reports a different number of events as one failure", async () => {
    await files({
      "main.conf": basicConfig,
      "case.json": JSON.stringify({
        input_plugin: "in",
        testcases: [{ input: ["a"], expected: [] }],
      }),
    });
    const { code, out } = await run("case.json", "main.conf");
    expect(code).toBe(1);
    expect(out).toContain("expected 0 event(s), got 1");
  });

  it("reads YAML, merges per-case fields, feeds a message-less event for a case without input (a case's fields replace global ones whole), exports metadata and outputs", async () => {
    await files({
      "main.conf": basicConfig,
      "case.yml": [
        "input_plugin: in",
        "export_metadata: true",
        "export_outputs: true",
        "ignore:",
        '  - "@timestamp"',
        "  - type",
        "  - event",
        "  - '[nested][drop]'",
        "fields:",
        "  global: g",
        "  '[nested][keep]': k",
        "testcases:",
        "  - fields:",
        "      global: overridden",
        "      nested: { drop: x }",
        "    expected:",
        "      - global: overridden",
        "        nested: {}",
        "        tags: [seen]",
        '        "@metadata": { hidden: h }',
        "        __lfv_out_passed: a_out",
        "  - input:",
        "      - >-",
        "        second",
        "    expected:",
        "      - { message: second, global: g, nested: { keep: k }, tags: [seen], __lfv_out_passed: a_out, '@metadata': { hidden: h } }",
        "      - { message: second, global: g, nested: { keep: k }, tags: [seen], __lfv_out_passed: b_out, '@metadata': { hidden: h } }",
      ].join("\n"),
    });
    const { code, out } = await run("case.yml", "main.conf");
    expect(out).toContain("3 passed, 0 failed");
    expect(code).toBe(0);
  });

  it("keeps the input's own codec and decoration, and runs every file of a directory", async () => {
    await files({
      "json.conf": `input { stdin { id => "j" codec => json tags => ["t"] } } output { stdout { id => "o" } }`,
    });
    const cases = join(dir, "cases");
    await import("node:fs/promises").then((fs) => fs.mkdir(cases));
    await writeFile(
      join(cases, "a.json"),
      JSON.stringify({
        input_plugin: "j",
        ignore: ["@timestamp", "event"],
        testcases: [
          {
            input: ['[{"n": 1}, {"n": 2}]', ""],
            expected: [
              { n: 1, tags: ["t"] },
              { n: 2, tags: ["t"] },
            ],
          },
        ],
      }),
    );
    await writeFile(
      join(cases, "b.json"),
      JSON.stringify({
        input_plugin: "j",
        ignore: ["@timestamp", "tags", "event"],
        testcases: [{ input: ['{"x": "y"}'], expected: [{ x: "y" }] }],
      }),
    );
    const { code, out } = await run("cases", "json.conf");
    expect(out).toContain("a.json");
    expect(out).toContain("b.json");
    expect(out).toContain("3 passed, 0 failed");
    expect(code).toBe(0);
  });

  it("sorts events by input line, then output id, and shows LFV's bookkeeping with --debug", async () => {
    await files({
      "clone.conf": `input { stdin { id => "in" } } filter { copy { id => "c" } }
        output { if [type] == "copy" { stdout { id => "z_copies" } } else { stdout { id => "originals" } } }`,
      "case.json": JSON.stringify({
        input_plugin: "in",
        ignore: ["@timestamp", "event"],
        testcases: [
          {
            input: ["one", "two"],
            expected: [
              { __lfv_id: "0", __lfv_out_passed: "originals", message: "one" },
              { __lfv_id: "0", __lfv_out_passed: "z_copies", message: "one", type: "copy" },
              { __lfv_id: "1", __lfv_out_passed: "originals", message: "two" },
              { __lfv_id: "1", __lfv_out_passed: "z_copies", message: "two", type: "copy" },
            ],
          },
        ],
      }),
    });
    const { code, out } = await run("case.json", "clone.conf", { debug: true });
    expect(out).toContain("4 passed, 0 failed");
    expect(code).toBe(0);
  });

  it("follows pipeline-to-pipeline links of a pipelines.yml; a `pipeline` output to a tested pipeline is no output", async () => {
    await files({
      "pipelines.yml":
        '- pipeline.id: one\n  path.config: "one.conf"\n- pipeline.id: two\n  path.config: "two.conf"\n',
      "one.conf": `input { stdin { id => "in" } } filter { pass { add_tag => ["one"] } }
        output { pipeline { id => "to_two" send_to => ["next"] } stdout { id => "first" } }`,
      "two.conf": `input { pipeline { address => "next" } } filter { pass { add_tag => ["two"] } }
        output { stdout { id => "second" } }`,
      "case.json": JSON.stringify({
        input_plugin: "in",
        export_outputs: true,
        ignore: ["@timestamp", "event"],
        testcases: [
          {
            input: ["m"],
            expected: [
              { message: "m", tags: ["one"], __lfv_out_passed: "first" },
              { message: "m", tags: ["one", "two"], __lfv_out_passed: "second" },
            ],
          },
        ],
      }),
    });
    const { code, out } = await run("case.json", undefined, { pipelines: join(dir, "pipelines.yml") });
    expect(out).toContain("2 passed, 0 failed");
    expect(code).toBe(0);
  });

  it("applies plugin mocks: an id without a mock is removed, one with a mock replaced", async () => {
    await files({
      "m.conf": `input { stdin { id => "in" } }
        filter { pass { id => "gone" add_tag => ["gone"] } pass { id => "swap" add_tag => ["real"] } }
        output { stdout { id => "o" } }`,
      "mocks.yml": '- id: gone\n- id: swap\n  mock: |\n    pass { add_tag => ["mocked"] }\n',
      "case.json": JSON.stringify({
        input_plugin: "in",
        ignore: ["@timestamp", "event"],
        testcases: [{ input: ["x"], expected: [{ message: "x", tags: ["mocked"] }] }],
      }),
    });
    const { code, out } = await run("case.json", "m.conf", { mock: join(dir, "mocks.yml") });
    expect(out).toContain("1 passed, 0 failed");
    expect(code).toBe(0);
  });

  const invalidCases: Array<[string, Record<string, string>, RegExp]> = [
    [
      "an input id not in the config",
      { "case.json": JSON.stringify({ input_plugin: "nope", testcases: [] }) },
      /input plugin "nope".*not in the Logstash config/,
    ],
    ["malformed YAML", { "case.yml": "input_plugin: in\nignore: [a, b\n" }, /case\.yml:2:1: unterminated/],
    ["malformed JSON", { "case.json": '{\n  "input_plugin": in\n}' }, /case\.json:\d+:\d+: invalid JSON/],
    ["an unknown key", { "case.json": JSON.stringify({ input_plugn: "in" }) }, /unknown key `input_plugn`/],
    ["a wrongly typed key", { "case.json": JSON.stringify({ ignore: "x" }) }, /ignore must be a list/],
  ];
  it.each(invalidCases)("exits 2 for %s", async (_name, entries, message) => {
    await files({ "main.conf": basicConfig, ...entries });
    const { code, err } = await run(Object.keys(entries)[0]!, "main.conf");
    expect(err).toMatch(message);
    expect(code).toBe(2);
  });

  it("exits 2 with file:line:column for a broken config or an unknown plugin", async () => {
    await files({
      "bad.conf": 'input { stdin { id => "in" } }\nfilter { nosuch { } }\noutput { stdout { id => "o" } }\n',
      "case.json": JSON.stringify({ input_plugin: "in", testcases: [] }),
    });
    const { code, err } = await run("case.json", "bad.conf");
    expect(err).toMatch(/bad\.conf:2:10/);
    expect(err).toMatch(/nosuch/);
    expect(code).toBe(2);
  });

  it("needs exactly one of CONFIG and --pipelines", async () => {
    const { code, err } = await run("case.json", undefined);
    expect(code).toBe(2);
    expect(err).toMatch(/either CONFIG/);
  });
});
