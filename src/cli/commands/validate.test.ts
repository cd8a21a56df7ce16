import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FilterSpec, StartupError } from "../../pipeline/plugins/api.js";
import { PluginRegistry } from "../../pipeline/plugins/registry.js";
import { captureOutput, generatorInput, plainCodec } from "../../pipeline/runtime/test-plugins.js";
import { runValidate } from "./validate.js";

const oldFilter: FilterSpec = {
  kind: "filter",
  name: "old",
  doc: "a filter with a deprecated option",
  options: { legacy: { type: "string", deprecated: "use modern" }, modern: { type: "string" } },
  create: () => ({ filter: () => true }),
};
const lateFilter: FilterSpec = {
  kind: "filter",
  name: "late",
  doc: "a filter whose problem Logstash finds only at register",
  options: {},
  create: () => {
    throw new StartupError("pattern %{NOPE} not defined");
  },
};
const badFilter: FilterSpec = {
  kind: "filter",
  name: "bad",
  doc: "a filter that refuses its settings when built",
  options: {},
  create: () => {
    throw new Error("The datetime zone id 'Mars' is not recognised");
  },
};
const registry = new PluginRegistry([
  plainCodec,
  generatorInput().spec,
  captureOutput().spec,
  oldFilter,
  lateFilter,
  badFilter,
]);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-validate-"));
  await writeFile(join(dir, "good.conf"), "input { generator { } }\nfilter { unknown_plugin { x => 1 } }\n");
  await writeFile(join(dir, "bad.conf"), "filter {\n  a { x = 1 }\n  b { y => }\n}\n");
  await writeFile(join(dir, "full.conf"), "input { gen { count => 3 } }\noutput { capture { } }\n");
  await writeFile(
    join(dir, "plugins.conf"),
    'input { genn { } }\nfilter { old { legacy => "x" } }\noutput { capture { dealy_ms => 3 } }\n',
  );
  await writeFile(join(dir, "warn.conf"), 'input { gen { } }\nfilter { old { legacy => "x" } }\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(paths: string[], flags: Parameters<typeof runValidate>[1]) {
  let out = "";
  let err = "";
  const code = await runValidate(
    paths,
    flags,
    (s) => (out += s),
    (s) => (err += s),
    registry,
  );
  return { code, out, err };
}

describe("sluice validate --parse-only", () => {
  it("prints ok for files that parse, unknown plugins included, and exits 0", async () => {
    const r = await run([join(dir, "good.conf")], { parseOnly: true });
    expect(r).toEqual({ code: 0, out: `ok ${join(dir, "good.conf")}\n`, err: "" });
  });

  it("prints every diagnostic with a caret and exits 1 if any file fails", async () => {
    const r = await run([join(dir, "good.conf"), join(dir, "bad.conf")], { parseOnly: true });
    expect(r.code).toBe(1);
    expect(r.out).toContain("ok ");
    expect(r.err).toContain(`${join(dir, "bad.conf")}:2:9: error:`);
    expect(r.err).toContain(`${join(dir, "bad.conf")}:3:12: error:`);
    expect(r.err).toContain("|         ^");
  });

  it("checks -e strings and reports missing paths", async () => {
    expect((await run([], { parseOnly: true, configString: "output { stdout {} }" })).code).toBe(0);
    const missing = await run([join(dir, "none.conf")], { parseOnly: true });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no config files found");
  });

  it("needs a PATH or -e (exit 2)", async () => {
    const r = await run([], { parseOnly: true });
    expect(r.code).toBe(2);
    expect(r.err).toContain("at least one PATH");
  });
});

describe("sluice validate (full)", () => {
  it("accepts a configuration whose plugins and options all check out", async () => {
    const r = await run([join(dir, "full.conf")], {});
    expect(r).toEqual({ code: 0, out: `ok ${join(dir, "full.conf")}\n`, err: "" });
  });

  it("reports unknown plugins and options with did-you-mean, and deprecations, and exits 1", async () => {
    const file = join(dir, "plugins.conf");
    const r = await run([file], {});
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain(`${file}:1:9: error: no input plugin named 'genn'`);
    expect(r.err).toContain("did you mean 'gen'?");
    expect(r.err).toContain(`${file}:2:16: warning: the setting 'legacy' of filter "old" is deprecated`);
    expect(r.err).toContain("hint: use modern");
    expect(r.err).toContain(`${file}:3:20: error: unknown setting 'dealy_ms' for output "capture"`);
    expect(r.err).toContain("did you mean 'delay_ms'?");
  });

  it("prints warnings but passes a file that has no error", async () => {
    const r = await run([join(dir, "warn.conf")], {});
    expect(r.code).toBe(0);
    expect(r.out).toBe(`ok ${join(dir, "warn.conf")}\n`);
    expect(r.err).toContain("warning: the setting 'legacy'");
  });

  it("builds every plugin as `run -t` does: a refusal at creation fails, a start-time problem is a warning", async () => {
    await writeFile(join(dir, "built.conf"), "input { gen { } }\nfilter { bad { } }\n");
    await writeFile(join(dir, "late.conf"), "input { gen { } }\nfilter { late { } }\n");
    const built = await run([join(dir, "built.conf")], {});
    expect(built.code).toBe(1);
    expect(built.err).toContain(
      `${join(dir, "built.conf")}:2:10: error: filter "bad": The datetime zone id 'Mars'`,
    );
    const late = await run([join(dir, "late.conf")], {});
    expect(late.code).toBe(0);
    expect(late.out).toBe(`ok ${join(dir, "late.conf")}\n`);
    expect(late.err).toContain(
      `${join(dir, "late.conf")}:2:10: warning: filter "late": pattern %{NOPE} not defined`,
    );
  });

  it("reports syntax errors before looking at plugins", async () => {
    const r = await run([join(dir, "bad.conf")], {});
    expect(r.code).toBe(1);
    expect(r.err).not.toContain("no filter plugin");
  });
});
