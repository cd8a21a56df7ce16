// The contract every shipped plugin keeps, checked over the whole registry: well-formed specs whose defaults match
// their declared types, default codecs that exist, and plugins that can be created from defaults alone and closed.

import { describe, expect, it } from "vitest";
import type { PlanPlugin } from "../config/index.js";
import { Event } from "../event/index.js";
import type { PluginSpec } from "./api.js";
import { builtinSpecs, defaultRegistry, quietContext } from "./index.js";
import type { OptionSpec, OptionValue } from "./options.js";

function planOf(spec: PluginSpec): PlanPlugin {
  return {
    kind: "plugin",
    type: spec.kind,
    name: spec.name,
    attributes: new Map(),
    pos: { file: "contract", line: 1, column: 1, offset: 0 },
  };
}

function defaultMatchesType(spec: OptionSpec, value: OptionValue): boolean {
  if (typeof spec.type !== "string") {
    const words = spec.type;
    const isWord = (v: OptionValue) => typeof v === "string" && words.includes(v);
    return spec.list ? Array.isArray(value) && value.every(isWord) : isWord(value);
  }
  if (spec.list) return Array.isArray(value);
  switch (spec.type) {
    case "string":
    case "password":
    case "uri":
    case "path":
    case "field_reference":
      return typeof value === "string";
    case "number":
    case "bytes":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "hash":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "codec":
      return typeof value === "string";
    case "any":
      return true;
  }
}

const requiresNothing = (spec: PluginSpec) => Object.values(spec.options).every((o) => !o.required);

describe("every shipped plugin", () => {
  it("has a lower-case name, a doc line, and defaults of its declared types", () => {
    const problems: string[] = [];
    for (const spec of builtinSpecs) {
      if (!/^[a-z][a-z0-9_]*$/.test(spec.name)) problems.push(`${spec.kind} ${spec.name}: bad name`);
      if (spec.doc.trim() === "") problems.push(`${spec.kind} ${spec.name}: no doc`);
      for (const [name, option] of Object.entries(defaultRegistry.optionsOf(spec))) {
        if (option.default !== undefined && !defaultMatchesType(option, option.default))
          problems.push(`${spec.kind} ${spec.name}: default of ${name} is not a ${String(option.type)}`);
        if (option.required && option.default !== undefined)
          problems.push(`${spec.kind} ${spec.name}: ${name} is required and has a default`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("names a default codec that exists (inputs and outputs)", () => {
    for (const spec of builtinSpecs) {
      if (spec.kind !== "input" && spec.kind !== "output") continue;
      expect(defaultRegistry.lookup("codec", spec.defaultCodec), `${spec.kind} ${spec.name}`).toBeDefined();
    }
  });

  it("resolves from defaults alone when it requires nothing, and reports each missing required option", () => {
    for (const spec of builtinSpecs) {
      const outcome = defaultRegistry.resolve(planOf(spec));
      const missing = outcome.diagnostics.filter((d) => d.code === "missing-option").length;
      const required = Object.values(spec.options).filter((o) => o.required).length;
      expect(missing, `${spec.kind} ${spec.name}`).toBe(required);
      if (required === 0)
        expect(
          outcome.diagnostics.filter((d) => d.severity === "error"),
          `${spec.kind} ${spec.name}`,
        ).toEqual([]);
    }
  });

  it("creates filters, outputs and codecs from defaults and closes them, or refuses with a plain Error", async () => {
    for (const spec of builtinSpecs) {
      if (spec.kind === "input" || !requiresNothing(spec)) continue;
      const { resolved } = defaultRegistry.resolve(planOf(spec));
      expect(resolved, `${spec.kind} ${spec.name}`).toBeDefined();
      let instance: { close?(): unknown } | undefined;
      try {
        instance = spec.create(resolved!.options, quietContext(spec, resolved!.options));
      } catch (err) {
        // Some refuse their defaults at register time as Logstash does (date without `match`): a message for the
        // user, never a TypeError from reading an option the spec does not guarantee.
        expect((err as Error).constructor, `${spec.kind} ${spec.name}: ${(err as Error).message}`).toBe(
          Error,
        );
        continue;
      }
      await instance.close?.();
    }
  });

  it("encodes an event with every codec, and decodes without throwing", () => {
    for (const spec of builtinSpecs) {
      if (spec.kind !== "codec" || !requiresNothing(spec)) continue;
      const { resolved } = defaultRegistry.resolve(planOf(spec));
      const codec = spec.create(resolved!.options, quietContext(spec, resolved!.options));
      const encoded = codec.encode(new Event({ message: "hello", n: 1 }));
      expect(typeof encoded === "string" || Buffer.isBuffer(encoded), spec.name).toBe(true);
      const events: Event[] = [];
      const decoder = codec.createDecoder((event) => events.push(event));
      decoder.write(Buffer.from('{"message":"a"}\n'));
      decoder.end();
      for (const event of events) expect(event.timestamp, spec.name).toBeDefined();
      codec.close?.();
    }
  });
});
