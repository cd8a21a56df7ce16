import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { filterHarness } from "./testing.js";
import { translateFilter } from "./translate.js";

const SPEC = translateFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

function tmpFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "sluice-translate-")), name);
  writeFileSync(path, text);
  return path;
}

describe("translate filter", () => {
  it("translates an exact key into `translation` by default (ECS disabled)", () => {
    const { run } = setup(`source => "status" dictionary => { "200" => "OK" "404" => "Not Found" }`);
    const hit = run({ status: "404" });
    expect(hit.matched).toBe(true);
    expect(hit.event.get("translation")).toBe("Not Found");
    expect(hit.event.get("status")).toBe("404");
    const miss = run({ status: "500" });
    expect(miss.matched).toBe(false);
    expect(miss.event.includes("translation")).toBe(false);
  });

  it("numbers and arrays are looked up by text (first element of an array)", () => {
    const { run } = setup(`source => "code" dictionary => ["200", "OK", "301", "Moved"]`);
    expect(run({ code: 200 }).event.get("translation")).toBe("OK");
    expect(run({ code: ["301", "200"] }).event.get("translation")).toBe("Moved");
  });

  it("with ECS on the target defaults to the source and translation is in place (always matched)", () => {
    const { run } = setup(`source => "code" dictionary => { "a" => "b" }`, "v8");
    const hit = run({ code: "a" });
    expect(hit.event.get("code")).toBe("b");
    expect(hit.matched).toBe(true);
    const miss = run({ code: "z" });
    expect(miss.event.get("code")).toBe("z");
    expect(miss.matched).toBe(true);
    expect(run({}).matched).toBe(false);
  });

  it("does not overwrite an existing target unless override", () => {
    const kept = setup(`source => "k" target => "t" dictionary => { "a" => "b" }`).run({ k: "a", t: "old" });
    expect(kept.event.get("t")).toBe("old");
    expect(kept.matched).toBe(false);
    const over = setup(`source => "k" target => "t" override => true dictionary => { "a" => "b" }`);
    expect(over.run({ k: "a", t: "old" }).event.get("t")).toBe("b");
  });

  it("accepts the deprecated field/destination names, but not with their replacements", () => {
    const { run, logs } = setup(`field => "k" destination => "[out][x]" dictionary => { "a" => "b" }`);
    expect(run({ k: "a" }).event.get("[out][x]")).toBe("b");
    expect(logs.some((l) => l.includes("`field` option is deprecated"))).toBe(true);
    expect(refused(`field => "k" source => "k"`)).toContain("Please remove `field");
    expect(refused(`source => "k" destination => "a" target => "b"`)).toContain("Please remove `destination");
    expect(refused(`dictionary => { "a" => "b" }`)).toContain("No source field specified");
    expect(diagnosticsOf(`field => "k"`).map((d) => d.code)).toEqual(["deprecated-option"]);
  });

  it("refuses override => false for in-place translation and dictionary with dictionary_path", () => {
    expect(refused(`source => "k" target => "k" override => false`)).toContain("override => false");
    const path = tmpFile("d.json", "{}");
    expect(refused(`source => "k" dictionary => { "a" => "b" } dictionary_path => "${path}"`)).toContain(
      "mutually exclusive",
    );
  });

  it("regex keys: the first matching key in written order wins", () => {
    const { run } = setup(`source => "m" regex => true dictionary => { "^err" => "error" "r" => "has r" }`);
    expect(run({ m: "error here" }).event.get("translation")).toBe("error");
    expect(run({ m: "warn" }).event.get("translation")).toBe("has r");
    expect(run({ m: "info" }).matched).toBe(false);
    expect(refused(`source => "m" regex => true dictionary => { "(" => "x" }`)).not.toBe("accepted");
  });

  it("exact => false replaces every key found as a literal substring", () => {
    const { run } = setup(`source => "m" exact => false dictionary => { "foo" => "bar" "a.c" => "X" }`);
    expect(run({ m: "foofing foo" }).event.get("translation")).toBe("barfing bar");
    expect(run({ m: "a.c abc" }).event.get("translation")).toBe("X abc");
    expect(run({ m: "none" }).matched).toBe(false);
  });

  it("fallback is sprintf'd when nothing matches", () => {
    const { run } = setup(`source => "k" fallback => "unknown %{k}" dictionary => { "a" => "b" }`);
    const miss = run({ k: "zz" });
    expect(miss.matched).toBe(true);
    expect(miss.event.get("translation")).toBe("unknown zz");
  });

  it("iterate_on the source translates each array element", () => {
    const { run } = setup(
      `source => "codes" iterate_on => "codes" target => "names" fallback => "?" dictionary => { "1" => "one" "2" => "two" }`,
    );
    const { event, matched } = run({ codes: ["1", "3", "2"] });
    expect(matched).toBe(true);
    expect(event.get("names")).toEqual(["one", "?", "two"]);
    const noFallback = setup(`source => "c" iterate_on => "c" target => "n" dictionary => { "1" => "one" }`);
    const none = noFallback.run({ c: ["7"] });
    expect(none.event.get("n")).toEqual([null]);
    expect(none.matched).toBe(false);
  });

  it("iterate_on an array of objects translates the source inside each", () => {
    const { run } = setup(
      `source => "[code]" iterate_on => "[items]" target => "[name]" dictionary => { "1" => "one" }`,
    );
    const { event, matched } = run({ items: [{ code: "1" }, { code: "9" }, { other: 1 }] });
    expect(matched).toBe(true);
    expect(event.get("items")).toEqual([{ code: "1", name: "one" }, { code: "9" }, { other: 1 }]);
  });

  it("loads YAML, JSON and CSV dictionary files, values of any type", () => {
    const yml = tmpFile("d.yml", `"100": Continue\nmerci: gracias\nlist: [1, 2]\n`);
    const y = setup(`source => "k" dictionary_path => "${yml}"`);
    expect(y.run({ k: "100" }).event.get("translation")).toBe("Continue");
    expect(y.run({ k: "list" }).event.get("translation")).toEqual([1, 2]);
    const json = tmpFile("d.json", `{"a": "b", "n": {"x": 1}}`);
    expect(
      setup(`source => "k" dictionary_path => "${json}"`).run({ k: "n" }).event.get("translation"),
    ).toEqual({
      x: 1,
    });
    const csv = tmpFile("d.csv", `a,b\n"c,d","e ""q"""\r\n`);
    const c = setup(`source => "k" dictionary_path => "${csv}"`);
    expect(c.run({ k: "a" }).event.get("translation")).toBe("b");
    expect(c.run({ k: "c,d" }).event.get("translation")).toBe('e "q"');
  });

  it("refuses bad dictionary files and YAML limits at register", () => {
    expect(refused(`source => "k" dictionary_path => "${tmpFile("d.txt", "a")}"`)).toContain(
      "non valid format",
    );
    expect(refused(`source => "k" dictionary_path => "${tmpFile("d.json", "{bad")}"`)).toContain(
      "when loading dictionary file",
    );
    const yml = tmpFile("d.yaml", "a: bcdefgh\n");
    expect(
      refused(`source => "k" dictionary_path => "${yml}" yaml_dictionary_code_point_limit => 3`),
    ).toContain("exceeds the limit");
    expect(
      refused(`source => "k" dictionary_path => "${yml}" yaml_dictionary_code_point_limit => 0`),
    ).toContain("positive number");
    const json = tmpFile("d.json", "{}");
    expect(
      refused(`source => "k" dictionary_path => "${json}" yaml_dictionary_code_point_limit => 10`),
    ).toContain("JSON or CSV");
    expect(refused(`source => "k" dictionary_path => "${yml}" yaml_load_strategy => "streaming"`)).toBe(
      "accepted",
    );
  });

  it("refresh merges by default and replaces with refresh_behaviour => replace; a broken file keeps the old", () => {
    for (const behaviour of ["merge", "replace"]) {
      const path = tmpFile("d.json", `{"a": "1", "b": "2"}`);
      const { run, filter, logs } = setup(
        `source => "k" dictionary_path => "${path}" refresh_behaviour => "${behaviour}" refresh_interval => 0`,
      );
      writeFileSync(path, `{"a": "10"}`);
      utimesSync(path, new Date(), new Date(Date.now() + 5000));
      (filter as unknown as { refresh(): void }).refresh();
      expect(run({ k: "a" }).event.get("translation")).toBe("10");
      expect(run({ k: "b" }).event.get("translation")).toBe(behaviour === "merge" ? "2" : undefined);
      writeFileSync(path, `{broken`);
      utimesSync(path, new Date(), new Date(Date.now() + 10000));
      (filter as unknown as { refresh(): void }).refresh();
      expect(run({ k: "a" }).event.get("translation")).toBe("10");
      expect(logs.some((l) => l.includes("continuing with old dictionary"))).toBe(true);
    }
  });

  it("refresh_interval re-reads the file on a timer", async () => {
    const path = tmpFile("d.csv", "a,1\n");
    const { run, filter } = setup(`source => "k" dictionary_path => "${path}" refresh_interval => 0.05`);
    writeFileSync(path, "a,2\n");
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(run({ k: "a" }).event.get("translation")).toBe("2");
    filter.close?.();
  });
});
