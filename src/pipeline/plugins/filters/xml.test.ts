import { describe, expect, it } from "vitest";
import { filterHarness } from "./testing.js";
import { parseXml } from "./xml/tree.js";
import { evaluateXPath, formatXPathNumber } from "./xml/xpath.js";
import { xmlFilter } from "./xml.js";

const SPEC = xmlFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

describe("xml filter: store_xml", () => {
  it("stores the root's children as arrays and attributes as strings", () => {
    const { run } = setup(`source => "raw" target => "data"`);
    const { event, matched } = run({ raw: `<foo a="1"><bar>baz</bar><bar x="y">qux</bar><empty/></foo>` });
    expect(matched).toBe(true);
    expect(event.get("data")).toEqual({ a: "1", bar: ["baz", { x: "y", content: "qux" }] });
  });

  it("force_array => false keeps single children scalar; force_content puts text in content", () => {
    const single = setup(`source => "raw" target => "d" force_array => false`).run({
      raw: "<r><a>1</a><b><c>2</c></b><b>3</b></r>",
    });
    expect(single.event.get("d")).toEqual({ a: "1", b: [{ c: "2" }, "3"] });
    const content = setup(`source => "raw" target => "d" force_content => true`).run({
      raw: "<r><a>1</a></r>",
    });
    expect(content.event.get("d")).toEqual({ a: [{ content: "1" }] });
  });

  it("suppress_empty => false keeps empty elements as {}", () => {
    const { run } = setup(`source => "raw" target => "d" suppress_empty => false`);
    expect(run({ raw: "<r><e/><f></f></r>" }).event.get("d")).toEqual({ e: [{}], f: [{}] });
  });

  it("tags malformed XML, non-strings and multi-item arrays with _xmlparsefailure", () => {
    const { run, failures } = setup(`source => "raw" target => "d"`);
    for (const raw of ["<r><a></r>", "not xml", 42, ["<a/>", "<b/>"]]) {
      const { event, matched } = run({ raw });
      expect(matched).toBe(false);
      expect(event.get("tags")).toEqual(["_xmlparsefailure"]);
    }
    expect(failures.length).toBe(4);
    expect(run({ raw: ["<a>1</a>"] }).event.get("d")).toBe("1");
    expect(run({ raw: "   " }).matched).toBe(false);
    expect(run({}).matched).toBe(false);
  });

  it("needs a target with store_xml; refuses unknown parse options", () => {
    expect(refused(`source => "raw"`)).toContain("'target' must also be set");
    expect(refused(`source => "raw" store_xml => false parse_options => "bogus"`)).toContain(
      "unsupported parse option",
    );
    expect(refused(`source => "raw" store_xml => false parse_options => "strict | no_error"`)).toBe(
      "accepted",
    );
    expect(diagnosticsOf(`target => "x"`).map((d) => d.code)).toEqual(["missing-option"]);
  });
});

describe("xml filter: xpath", () => {
  const doc = `<root><item id="1"><name>apple</name><price>3</price></item><item id="2"><name>pear</name><price>5</price></item></root>`;

  it("copies matches into fields as arrays of strings (elements as XML)", () => {
    const { run } = setup(
      `source => "raw" store_xml => false xpath => { "/root/item/name/text()" => "names" "//item[@id='2']" => "second" "/root/item/@id" => "ids" }`,
    );
    const { event, matched } = run({ raw: doc });
    expect(matched).toBe(true);
    expect(event.get("names")).toEqual(["apple", "pear"]);
    expect(event.get("second")).toEqual([`<item id="2"><name>pear</name><price>5</price></item>`]);
    expect(event.get("ids")).toEqual(["1", "2"]);
    expect(event.includes("tags")).toBe(false);
  });

  it("force_array => false stores a single match as a string; no match sets nothing", () => {
    const { run } = setup(
      `source => "raw" store_xml => false force_array => false xpath => { "/root/item[1]/name/text()" => "first" "/root/nothing" => "none" }`,
    );
    const { event } = run({ raw: doc });
    expect(event.get("first")).toBe("apple");
    expect(event.includes("none")).toBe(false);
    const nothing = setup(`source => "raw" store_xml => false xpath => { "/x" => "y" }`).run({ raw: doc });
    expect(nothing.matched).toBe(false);
  });

  it("functions and numbers print as Nokogiri does (count() is a Float)", () => {
    const { run } = setup(
      `source => "raw" store_xml => false xpath => { "count(//item)" => "n" "sum(//price)" => "total" "string(//item[last()]/name)" => "last" }`,
    );
    const { event } = run({ raw: doc });
    expect(event.get("n")).toEqual(["2.0"]);
    expect(event.get("total")).toEqual(["8.0"]);
    expect(event.get("last")).toEqual(["pear"]);
  });

  it("namespaces: given prefixes, the root's declarations, or remove_namespaces", () => {
    const nsDoc = `<r xmlns="urn:d" xmlns:p="urn:p"><p:a>1</p:a><b>2</b></r>`;
    const given = setup(
      `source => "raw" store_xml => false namespaces => { "q" => "urn:p" "d" => "urn:d" } xpath => { "/d:r/q:a/text()" => "a" }`,
    );
    expect(given.run({ raw: nsDoc }).event.get("a")).toEqual(["1"]);
    const root = setup(
      `source => "raw" store_xml => false xpath => { "/xmlns:r/xmlns:b/text()" => "b" "//p:a/text()" => "a" }`,
    );
    const rooted = root.run({ raw: nsDoc }).event;
    expect(rooted.get("b")).toEqual(["2"]);
    expect(rooted.get("a")).toEqual(["1"]);
    const plain = setup(
      `source => "raw" store_xml => false remove_namespaces => true xpath => { "/r/a/text()" => "a" }`,
    );
    expect(plain.run({ raw: nsDoc }).event.get("a")).toEqual(["1"]);
    const unprefixed = setup(`source => "raw" store_xml => false xpath => { "/r/b" => "b" }`).run({
      raw: nsDoc,
    });
    expect(unprefixed.event.includes("b")).toBe(false);
  });

  it("strict parse_options tags malformed XML that recovery would accept", () => {
    const lenient = setup(`source => "raw" store_xml => false xpath => { "/a" => "a" }`).run({
      raw: "<a><b></a>",
    });
    expect(lenient.event.get("tags")).toBeUndefined();
    const strict = setup(
      `source => "raw" store_xml => false parse_options => "strict" xpath => { "/a" => "a" }`,
    );
    expect(strict.run({ raw: "<a><b></a>" }).event.get("tags")).toEqual(["_xmlparsefailure"]);
  });

  it("store_xml and xpath together", () => {
    const { run } = setup(`source => "raw" target => "d" xpath => { "//name/text()" => "n" }`);
    const { event } = run({ raw: doc });
    expect(event.get("n")).toEqual(["apple", "pear"]);
    expect(event.get("[d][item][0][name]")).toEqual(["apple"]);
  });
});

describe("xpath evaluator", () => {
  const document = parseXml(
    `<a x="1"><b>one</b><b>two</b><c><b>three &amp; more</b></c><d n="5"/><d n="7"/></a>`,
  );
  const texts = (path: string) => {
    const value = evaluateXPath(path, document, {});
    return Array.isArray(value)
      ? value.map((n) => (n.kind === "attribute" ? n.value : n.kind === "text" ? n.text : n.name))
      : value;
  };

  it("handles axes, predicates, unions and operators", () => {
    expect(texts("//b/text()")).toEqual(["one", "two", "three & more"]);
    expect(texts("/a/b[2]/text()")).toEqual(["two"]);
    expect(texts("/a/*")).toEqual(["b", "b", "c", "d", "d"]);
    expect(texts("//d[@n > 6]/@n")).toEqual(["7"]);
    expect(texts("//b[. = 'two']/following-sibling::*")).toEqual(["c", "d", "d"]);
    expect(texts("//c/b/..")).toEqual(["c"]);
    expect(texts("//c/b/ancestor::*")).toEqual(["a", "c"]);
    expect(texts("/a/@x | //d/@n")).toEqual(["1", "5", "7"]);
    expect(texts("//b[contains(., 'o')][not(starts-with(., 't'))]/text()")).toEqual(["one"]);
    expect(texts("count(//d) * 2 + 1")).toBe(5);
    expect(texts("10 div 4")).toBe(2.5);
    expect(texts("7 mod 4 = 3 and true()")).toBe(true);
    expect(texts("concat(name(/a), '-', local-name(//c))")).toBe("a-c");
    expect(texts("normalize-space('  x   y ')")).toBe("x y");
    expect(texts("substring-before('a=b', '=')")).toBe("a");
    expect(texts("string-length(//c/b)")).toBe(12);
    expect(texts("//b[position() = last()]/text()")).toEqual(["two", "three & more"]);
    expect(texts("(//b)[last()]/text()")).toEqual(["three & more"]);
    expect(texts("/child::a/descendant::b[1]/text()")).toEqual(["one"]);
    expect(formatXPathNumber(3)).toBe("3.0");
    expect(formatXPathNumber(Number.NaN)).toBe("NaN");
  });

  it("rejects what it does not understand", () => {
    expect(() => evaluateXPath("//b[", document, {})).toThrow();
    expect(() => evaluateXPath("frob(1)", document, {})).toThrow("unsupported function");
    expect(() => evaluateXPath("//q:b", document, {})).toThrow("namespace prefix");
  });
});
