import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runValidate } from "./validate.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-validate-"));
  await writeFile(join(dir, "good.conf"), "input { generator { } }\nfilter { unknown_plugin { x => 1 } }\n");
  await writeFile(join(dir, "bad.conf"), "filter {\n  a { x = 1 }\n  b { y => }\n}\n");
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
  );
  return { code, out, err };
}

describe("sluice validate", () => {
  it("--parse-only prints ok for files that parse, unknown plugins included, and exits 0", async () => {
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

  it("without --parse-only says full validation is not available yet and exits 2", async () => {
    const r = await run([join(dir, "good.conf")], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain("only --parse-only");
  });
});
