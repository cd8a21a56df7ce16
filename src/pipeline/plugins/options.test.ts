import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanPlugin, PlanValue } from "../config/index.js";
import type { Codec } from "./api.js";
import {
  type CodecFactory,
  closest,
  type OptionSpecs,
  parseBytes,
  ResolvedOptions,
  resolveOptions,
} from "./options.js";

const pos = { file: "t.conf", line: 3, column: 5, offset: 0 };

function plugin(attributes: Record<string, PlanValue>, name = "thing"): PlanPlugin {
  return { kind: "plugin", type: "filter", name, attributes: new Map(Object.entries(attributes)), pos };
}

/** Resolves one option of `spec` given `value`: the coerced value, or the diagnostics' hints. */
function coerce(spec: OptionSpecs[string], value: PlanValue) {
  const { options, diagnostics } = resolveOptions(plugin({ x: value }), { x: spec }, 'filter "thing"');
  return diagnostics.length > 0 ? { errors: diagnostics.map((d) => d.hint) } : { value: options.raw("x") };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-options-"));
  await writeFile(join(dir, "exists.txt"), "x");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("Logstash's coercions", () => {
  it("lets a one-element array stand for its element", () => {
    expect(coerce({ type: "string" }, ["a"])).toEqual({ value: "a" });
    expect(coerce({ type: "number" }, ["5"])).toEqual({ value: 5 });
    expect(coerce({ type: "boolean" }, ["true"])).toEqual({ value: true });
    expect(coerce({ type: ["a", "b"] }, ["b"])).toEqual({ value: "b" });
    expect(coerce({ type: "string" }, ["a", "b"])).toEqual({ errors: ["expected a single string"] });
  });

  it("turns strings and numbers into strings, and refuses hashes", () => {
    expect(coerce({ type: "string" }, 42)).toEqual({ value: "42" });
    expect(coerce({ type: "password" }, "s3cret")).toEqual({ value: "s3cret" });
    expect(coerce({ type: "uri" }, "http://h:1/")).toEqual({ value: "http://h:1/" });
    expect(coerce({ type: "string" }, new Map([["a", "b"]]))).toEqual({
      errors: ["expected a single string"],
    });
  });

  it("builds a hash from a flat even array, collecting repeated keys into an array", () => {
    expect(coerce({ type: "hash" }, ["a", "1", "b", 2])).toEqual({ value: { a: "1", b: 2 } });
    expect(coerce({ type: "hash" }, ["a", "1", "a", "2", "a", "3"])).toEqual({
      value: { a: ["1", "2", "3"] },
    });
    expect(coerce({ type: "hash" }, new Map<string, PlanValue>([["k", ["v", "w"]]]))).toEqual({
      value: { k: ["v", "w"] },
    });
    expect(coerce({ type: "hash" }, ["a", "1", "b"])).toEqual({
      errors: ["a hash written as an array needs an even number of items, got 3"],
    });
    expect(coerce({ type: "hash" }, [["nested"], "v"])).toEqual({ errors: ["hash keys must be strings"] });
  });

  it('accepts only "true" and "false" as booleans', () => {
    expect(coerce({ type: "boolean" }, "true")).toEqual({ value: true });
    expect(coerce({ type: "boolean" }, "false")).toEqual({ value: false });
    for (const bad of ["yes", "TRUE", 1] as PlanValue[])
      expect(coerce({ type: "boolean" }, bad)).toEqual({ errors: ["expected boolean 'true' or 'false'"] });
  });

  it("accepts numbers and numeric text", () => {
    expect(coerce({ type: "number" }, 3.5)).toEqual({ value: 3.5 });
    expect(coerce({ type: "number" }, "12")).toEqual({ value: 12 });
    expect(coerce({ type: "number" }, "-0.25")).toEqual({ value: -0.25 });
    expect(coerce({ type: "number" }, "12abc")).toEqual({ errors: ["expected a number"] });
    expect(coerce({ type: "number" }, [1, 2])).toEqual({ errors: ["expected a number"] });
  });

  it("takes one of an enum's words", () => {
    const spec = { type: ["plain", "json"] as const };
    expect(coerce(spec, "json")).toEqual({ value: "json" });
    expect(coerce(spec, "xml")).toEqual({ errors: ['expected one of "plain", "json"'] });
    expect(coerce(spec, 1)).toEqual({ errors: ['expected one of "plain", "json"'] });
  });

  it("parses byte sizes with decimal and binary units", () => {
    expect(coerce({ type: "bytes" }, "10 KiB")).toEqual({ value: 10240 });
    expect(coerce({ type: "bytes" }, "20mb")).toEqual({ value: 20_000_000 });
    expect(coerce({ type: "bytes" }, 1024)).toEqual({ value: 1024 });
    expect(coerce({ type: "bytes" }, "1.5 GiB")).toEqual({ value: 1.5 * 2 ** 30 });
    expect(coerce({ type: "bytes" }, "lots")).toEqual({
      errors: ["unparseable size; use a number of bytes or e.g. '10 KiB', '20mb'"],
    });
    expect(parseBytes("7 parsecs")).toBeUndefined();
    expect(parseBytes(" 3 TB ")).toBe(3e12);
  });

  it("checks field references", () => {
    expect(coerce({ type: "field_reference" }, "[a][b]")).toEqual({ value: "[a][b]" });
    expect(coerce({ type: "field_reference" }, "plain")).toEqual({ value: "plain" });
    expect(coerce({ type: "field_reference" }, "[[rule][id]]")).toEqual({ value: "[[rule][id]]" });
    const bad = coerce({ type: "field_reference" }, "[a");
    expect(bad.errors?.[0]).toMatch(/^malformed field reference: .*unclosed/);
  });

  it("leaves a field reference unset, default included, when given empty (Logstash's nil)", () => {
    const spec = { type: "field_reference" as const, default: "target" };
    expect(coerce(spec, "")).toEqual({ value: undefined });
    expect(coerce(spec, [])).toEqual({ value: undefined });
    expect(coerce(spec, "[x]")).toEqual({ value: "[x]" });
  });

  it("requires a path to exist", () => {
    const file = join(dir, "exists.txt");
    expect(coerce({ type: "path" }, file)).toEqual({ value: file });
    expect(coerce({ type: "path" }, join(dir, "missing"))).toEqual({
      errors: [`file does not exist or cannot be opened: ${join(dir, "missing")}`],
    });
  });

  it("wraps a scalar given to an array option, checks each element of a list option", () => {
    expect(coerce({ type: "array" }, "one")).toEqual({ value: ["one"] });
    expect(coerce({ type: "array" }, ["a", 1])).toEqual({ value: ["a", 1] });
    expect(coerce({ type: "string", list: true }, ["a", 2])).toEqual({ value: ["a", "2"] });
    expect(coerce({ type: "string", list: true }, "solo")).toEqual({ value: ["solo"] });
    expect(coerce({ type: "number", list: true }, ["1", "x"])).toEqual({ errors: ["expected a number"] });
    expect(coerce({ type: "any" }, new Map([["k", 1]]))).toEqual({ value: { k: 1 } });
  });
});

describe("resolveOptions", () => {
  const specs: OptionSpecs = {
    match: { type: "hash", required: true, doc: "what to match" },
    target: { type: "string", default: "out" },
    overwrite: { type: "boolean", default: false },
    old_name: { type: "string", deprecated: "use target" },
    gone: { type: "string", obsolete: "removed in 8.0; use target" },
  };

  it("reports an unknown option with a did-you-mean, or the list of options when nothing is close", () => {
    const { diagnostics } = resolveOptions(
      plugin({ match: ["a", "b"], targte: "x", zzzzzzzz: 1 }),
      specs,
      'filter "thing"',
    );
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: "error",
        code: "unknown-option",
        message: `unknown setting 'targte' for filter "thing"`,
        file: "t.conf",
        line: 3,
        column: 5,
        hint: "did you mean 'target'?",
      }),
      expect.objectContaining({
        code: "unknown-option",
        hint: 'filter "thing" takes: gone, match, old_name, overwrite, target',
      }),
    ]);
  });

  it("refuses obsolete options and warns about deprecated ones, keeping their value", () => {
    const { options, diagnostics } = resolveOptions(
      plugin({ match: ["a", "b"], old_name: "x", gone: "y" }),
      specs,
      'filter "thing"',
    );
    expect(diagnostics.map((d) => [d.severity, d.code, d.hint])).toEqual([
      ["warning", "deprecated-option", "use target"],
      ["error", "obsolete-option", "removed in 8.0; use target"],
    ]);
    expect(options.string("old_name")).toBe("x");
    expect(options.has("gone")).toBe(false);
  });

  it("reports a missing required option and fills in defaults that `has` does not count", () => {
    const missing = resolveOptions(plugin({}), specs, 'filter "thing"');
    expect(missing.diagnostics).toEqual([
      expect.objectContaining({
        code: "missing-option",
        message: 'missing a required setting for filter "thing": match',
        hint: "what to match",
      }),
    ]);
    const { options, diagnostics } = resolveOptions(
      plugin({ match: ["a", "b"], overwrite: "true" }),
      specs,
      "x",
    );
    expect(diagnostics).toEqual([]);
    expect(options.hash("match")).toEqual({ a: "b" });
    expect(options.string("target")).toBe("out");
    expect(options.has("target")).toBe(false);
    expect(options.has("overwrite")).toBe(true);
    expect(options.boolean("overwrite")).toBe(true);
    expect(options.pos).toBe(pos);
  });

  it("names the option, the value and the type when a value does not fit", () => {
    const { diagnostics } = resolveOptions(
      plugin({ match: ["a", "b"], overwrite: "yes" }),
      specs,
      'filter "thing"',
    );
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: "invalid-option",
        message: `invalid value for setting 'overwrite' of filter "thing": "yes" (boolean)`,
      }),
    ]);
  });

  describe("codecs", () => {
    const made: string[] = [];
    const fakeCodec = (name: string): Codec => ({
      createDecoder: () => ({ write: () => {}, end: () => {} }),
      encode: () => name,
    });
    const factory: CodecFactory = (value) => {
      const name = typeof value === "string" ? value : value.name;
      if (name === "nope")
        return [
          {
            severity: "error",
            code: "unknown-plugin",
            message: "no codec nope",
            file: "t",
            line: 1,
            column: 1,
          },
        ];
      made.push(name);
      return fakeCodec(name);
    };
    const codecSpecs: OptionSpecs = { codec: { type: "codec" } };
    const resolve = (attributes: Record<string, PlanValue>) => {
      made.length = 0;
      return resolveOptions(plugin(attributes), codecSpecs, 'input "x"', { factory, defaultCodec: "plain" });
    };

    it("builds the default codec when none is given", () => {
      const { options, diagnostics } = resolve({});
      expect(diagnostics).toEqual([]);
      expect(options.codec().encode(undefined as never)).toBe("plain");
      expect(made).toEqual(["plain"]);
    });

    it("builds the given codec, by name or as `name { ... }`", () => {
      expect(
        resolve({ codec: "json" })
          .options.codec()
          .encode(undefined as never),
      ).toBe("json");
      const written: PlanPlugin = { ...plugin({ charset: "UTF-8" }, "line"), type: "codec" };
      expect(
        resolve({ codec: written })
          .options.codec()
          .encode(undefined as never),
      ).toBe("line");
      expect(made).toEqual(["line"]);
    });

    it("reports a codec that cannot be built, without building the default one instead", () => {
      const { diagnostics } = resolve({ codec: "nope" });
      expect(diagnostics.map((d) => d.message)).toEqual(["no codec nope"]);
      expect(made).toEqual([]);
      expect(resolve({ codec: 5 }).diagnostics[0]!.hint).toBe("expected a codec name or `name { ... }`");
    });
  });
});

describe("ResolvedOptions accessors", () => {
  const options = ResolvedOptions.of({ s: "text", n: 3, b: false, a: ["x", 2], h: { k: "v" }, one: "solo" });

  it("read each type, with empty arrays and hashes for absent options", () => {
    expect(options.string("s")).toBe("text");
    expect(options.string("n")).toBe("3");
    expect(options.optionalString("missing")).toBeUndefined();
    expect(options.number("n")).toBe(3);
    expect(options.optionalNumber("missing")).toBeUndefined();
    expect(options.boolean("b")).toBe(false);
    expect(options.array("a")).toEqual(["x", 2]);
    expect(options.array("one")).toEqual(["solo"]);
    expect(options.array("missing")).toEqual([]);
    expect(options.stringArray("a")).toEqual(["x", "2"]);
    expect(options.hash("h")).toEqual({ k: "v" });
    expect(options.hash("missing")).toEqual({});
    expect(options.raw("h")).toEqual({ k: "v" });
    expect(options.has("s")).toBe(true);
  });

  it("throw on a type the option does not have (a programming error)", () => {
    expect(() => options.string("missing")).toThrow(/no value and no default/);
    expect(() => options.number("s")).toThrow(/not a number/);
    expect(() => options.boolean("s")).toThrow(/not a boolean/);
    expect(() => options.hash("a")).toThrow(/not a hash/);
    expect(() => options.optionalString("h")).toThrow(/not a string/);
    expect(() => ResolvedOptions.of({ a: [["nested"]] }).stringArray("a")).toThrow(/non-string/);
    expect(() => options.codec()).toThrow(/no codec/);
  });
});

describe("closest", () => {
  it("suggests a likely typo and nothing for a far-off word", () => {
    expect(closest("add_feild", ["add_field", "add_tag", "remove_field"])).toBe("add_field");
    expect(closest("MATCH", ["match"])).toBe("match");
    expect(closest("completely_different", ["match", "target"])).toBeUndefined();
  });
});
