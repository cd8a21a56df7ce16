import { describe, expect, it } from "vitest";
import { buildPlan, type PipelinePlan, type PlanPlugin } from "../config/index.js";
import type { CodecSpec, FilterSpec, InputSpec, OutputSpec, PluginContext } from "./api.js";
import { ResolvedOptions } from "./options.js";
import { commonOptions, ecsModeOf, PluginRegistry, quietContext } from "./registry.js";

const contexts: PluginContext[] = [];

function codec(name: string, extra: Partial<CodecSpec> = {}): CodecSpec {
  return {
    kind: "codec",
    name,
    doc: `${name} codec`,
    options: { charset: { type: "string", default: "UTF-8" } },
    create: (options, context) => {
      contexts.push(context);
      return {
        createDecoder: () => ({ write: () => {}, end: () => {} }),
        encode: () => `${name}:${options.string("charset")}`,
      };
    },
    ...extra,
  };
}

const stdinInput: InputSpec = {
  kind: "input",
  name: "stdin",
  doc: "reads stdin",
  defaultCodec: "line",
  options: {},
  create: () => ({ run: async () => {}, stop: () => {} }),
};
const mutateFilter: FilterSpec = {
  kind: "filter",
  name: "mutate",
  doc: "changes fields",
  options: { rename: { type: "hash" }, convert: { type: "hash" } },
  create: () => ({ filter: () => true }),
};
const stdoutOutput: OutputSpec = {
  kind: "output",
  name: "stdout",
  doc: "writes stdout",
  defaultCodec: "rubydebug",
  options: {},
  create: () => ({ receive: () => {} }),
};

const registry = new PluginRegistry([
  codec("line"),
  codec("rubydebug"),
  codec("json"),
  codec("broken", {
    create: () => {
      throw new Error("bad charset table");
    },
  }),
  stdinInput,
  mutateFilter,
  stdoutOutput,
]);

function plan(text: string): PipelinePlan {
  const compiled = buildPlan([{ file: "p.conf", text }]);
  expect(compiled.diagnostics).toEqual([]);
  return compiled.plan;
}

const firstPlugin = (p: PipelinePlan) => p.sections[0]!.body[0] as PlanPlugin;

describe("PluginRegistry", () => {
  it("looks plugins up by kind and name", () => {
    expect(registry.lookup("filter", "mutate")).toBe(mutateFilter);
    expect(registry.lookup("output", "mutate")).toBeUndefined();
    expect(registry.names("codec")).toEqual(["broken", "json", "line", "rubydebug"]);
    expect(registry.all()).toHaveLength(7);
  });

  it("refuses two specs with one name and a spec redeclaring a common option", () => {
    expect(() => new PluginRegistry([mutateFilter, mutateFilter])).toThrow(/two filter plugins named mutate/);
    const sneaky: FilterSpec = { ...mutateFilter, name: "sneaky", options: { add_tag: { type: "array" } } };
    expect(() => new PluginRegistry([sneaky])).toThrow(/redeclares the common option add_tag/);
  });

  it("adds each kind's common options to a plugin's own", () => {
    const options = registry.optionsOf(mutateFilter);
    expect(Object.keys(options)).toEqual([...Object.keys(commonOptions.filter), "rename", "convert"]);
    expect(Object.keys(registry.optionsOf(stdinInput))).toContain("add_field");
    expect(Object.keys(registry.optionsOf(stdoutOutput))).toContain("codec");
  });

  it("accepts the common options of every kind", () => {
    const p = plan(`input { stdin { id => "in" type => "t" tags => ["a"] add_field => { "f" => "v" }
        enable_metric => false ecs_compatibility => disabled } }
      filter { mutate { add_field => { "x" => "y" } add_tag => "t" remove_field => ["z"] remove_tag => ["q"]
        periodic_flush => true } }
      output { stdout { codec => json } }`);
    expect(registry.check(p)).toEqual([]);
  });

  it("warns that an output's workers setting is deprecated", () => {
    expect(registry.check(plan("output { stdout { workers => 4 } }"))).toEqual([
      expect.objectContaining({ severity: "warning", code: "deprecated-option" }),
    ]);
  });

  it("reports an unknown plugin with a did-you-mean, or the known ones when nothing is close", () => {
    const diagnostics = registry.check(plan("filter { mutat {} } output { elasticsearch {} }"));
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: "unknown-plugin",
        message: "no filter plugin named 'mutat'",
        file: "p.conf",
        line: 1,
        column: 10,
        hint: "did you mean 'mutate'?",
      }),
      expect.objectContaining({
        message: "no output plugin named 'elasticsearch'",
        hint: "known output plugins: stdout",
      }),
    ]);
  });

  it("reports unknown options of plugins inside conditionals", () => {
    const diagnostics = registry.check(
      plan('filter { if [a] { mutate { renam => ["a", "b"] } } else { mutate { zzzzzz => 1 } } }'),
    );
    expect(diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ["unknown-option", "did you mean 'rename'?"],
      ["unknown-option", expect.stringContaining("takes:")],
    ]);
  });

  it("reports duplicate ids with both positions", () => {
    const diagnostics = registry.check(
      plan(`filter { mutate { id => "m" } if [x] { mutate { id => "m" } } mutate { id => "other" } }`),
    );
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: "duplicate-id",
        message: "two plugins have the id 'm'",
        column: 40,
        hint: "the other one is at p.conf:1:10; ids must be unique in a pipeline",
      }),
    ]);
  });

  describe("codecs", () => {
    it("creates the plugin's default codec with a context from the factory", () => {
      contexts.length = 0;
      const outcome = registry.resolve(firstPlugin(plan("input { stdin {} }")), (spec, options) => ({
        ...quietContext(spec, options),
        id: "custom",
      }));
      expect(outcome.diagnostics).toEqual([]);
      expect(outcome.resolved!.options.codec().encode(undefined as never)).toBe("line:UTF-8");
      expect(contexts.map((c) => c.id)).toEqual(["custom"]);
    });

    it("creates a codec given with options", () => {
      const outcome = registry.resolve(
        firstPlugin(plan('output { stdout { codec => line { charset => "ISO-8859-1" } } }')),
      );
      expect(outcome.resolved!.options.codec().encode(undefined as never)).toBe("line:ISO-8859-1");
    });

    it("reports unknown codecs, their bad options and their create() failures", () => {
      const check = (text: string) => registry.check(plan(text)).map((d) => [d.code, d.message, d.hint]);
      expect(check("input { stdin { codec => jsn } }")).toEqual([
        ["unknown-plugin", "no codec plugin named 'jsn'", "did you mean 'json'?"],
      ]);
      expect(check("input { stdin { codec => json { charst => 1 } } }")).toEqual([
        ["unknown-option", `unknown setting 'charst' for codec "json"`, "did you mean 'charset'?"],
      ]);
      expect(check("input { stdin { codec => broken } }")).toEqual([
        ["plugin-config", 'codec "broken": bad charset table', undefined],
      ]);
    });
  });
});

describe("ecsModeOf and quietContext", () => {
  it("uses the plugin's own mode, else the pipeline's", () => {
    expect(ecsModeOf(ResolvedOptions.of({ ecs_compatibility: "disabled" }), "v8")).toBe("disabled");
    expect(ecsModeOf(ResolvedOptions.of({}), "disabled")).toBe("disabled");
    expect(ecsModeOf(ResolvedOptions.of({}))).toBe("v8");
  });

  it("gives a silent context named after the id or the plugin", () => {
    expect(quietContext(mutateFilter, ResolvedOptions.of({ id: "m1" })).id).toBe("m1");
    const context = quietContext(mutateFilter, ResolvedOptions.of({}));
    expect(context.id).toBe("mutate");
    expect(context.ecsCompatibility).toBe("v8");
    expect(() => context.logger.error("nothing printed")).not.toThrow();
  });
});
