import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSources } from "./index.js";
import { expandConfigPath, loadConfigSources, SourceMap } from "./load.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-config-"));
  await mkdir(join(dir, "conf.d", "sub"), { recursive: true });
  await writeFile(join(dir, "conf.d", "20-filter.conf"), "filter {\n  mutate {}\n}\n");
  await writeFile(join(dir, "conf.d", "10-input.conf"), "input { stdin {} }");
  await writeFile(join(dir, "conf.d", "30-output.conf"), "output {\n  stdout {\n    codec => = \n  }\n}\n");
  await writeFile(join(dir, "conf.d", "30-output.conf~"), "garbage");
  await writeFile(join(dir, "conf.d", ".hidden.conf"), "garbage");
  await writeFile(join(dir, "conf.d", "sub", "40-deep.conf"), "filter { deep {} }");
  await writeFile(join(dir, "latin1.conf"), Buffer.from([0x69, 0x6e, 0xe9]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadConfigSources", () => {
  it("a directory means its files in name order, skipping backups, dotfiles and subdirectories", async () => {
    const files = await expandConfigPath(join(dir, "conf.d"));
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      "conf.d/10-input.conf",
      "conf.d/20-filter.conf",
      "conf.d/30-output.conf",
    ]);
  });

  it("globs: `*` and `?` within a segment, `**` across directories", async () => {
    const rel = (fs: string[]) => fs.map((f) => f.slice(dir.length + 1));
    expect(rel(await expandConfigPath(join(dir, "conf.d", "?0-*.conf")))).toEqual([
      "conf.d/10-input.conf",
      "conf.d/20-filter.conf",
      "conf.d/30-output.conf",
    ]);
    expect(rel(await expandConfigPath(join(dir, "**", "*deep*")))).toEqual(["conf.d/sub/40-deep.conf"]);
  });

  it("diagnostics in a directory point at the original file, line and column", async () => {
    const loaded = await loadConfigSources({ paths: [join(dir, "conf.d")] });
    expect(loaded.diagnostics).toEqual([]);
    const parsed = parseSources(loaded.sources);
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.diagnostics[0]).toMatchObject({
      file: join(dir, "conf.d", "30-output.conf"),
      line: 3,
      column: 14,
    });
    expect(parsed.ast.sections.map((s) => s.type)).toEqual(["input", "filter", "output"]);
  });

  it("keeps a source map from the joined text back to each file", async () => {
    const loaded = await loadConfigSources({ paths: [join(dir, "conf.d")] });
    const at = loaded.text.indexOf("mutate");
    expect(loaded.sourceMap.locate(at)).toMatchObject({
      file: join(dir, "conf.d", "20-filter.conf"),
      line: 2,
      column: 3,
    });
    const map = new SourceMap([
      { file: "a", text: "x\ny" },
      { file: "b", text: "z" },
    ]);
    expect(map.locate(2)).toMatchObject({ file: "a", line: 2, column: 1 });
    expect(map.locate(4)).toMatchObject({ file: "b", line: 1, column: 1 });
  });

  it("reports missing paths and files that are not UTF-8, and takes -e strings", async () => {
    const missing = await loadConfigSources({ paths: [join(dir, "nope.conf")] });
    expect(missing.diagnostics).toMatchObject([{ code: "no-config-files" }]);
    const latin1 = await loadConfigSources({ paths: [join(dir, "latin1.conf")] });
    expect(latin1.diagnostics).toMatchObject([{ code: "not-utf8" }]);
    const str = await loadConfigSources({ string: "input {}" });
    expect(str.sources).toEqual([{ file: "config_string", text: "input {}" }]);
  });
});
