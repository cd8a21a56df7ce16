import { describe, expect, it } from "vitest";
import { kvFilter } from "./kv.js";
import { filterHarness } from "./testing.js";

const SPEC = kvFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

const SAMPLE =
  "hello=world foo=bar baz=fizz doublequoted=\"hello world\" singlequoted='hello world' bracketsone=(hello world) bracketstwo=[hello world] bracketsthree=<hello world>";

describe("kv filter: splitting", () => {
  it("parses bare, quoted and bracketed values by default", () => {
    const { run } = setup("");
    const { event, matched } = run({ message: SAMPLE });
    expect(matched).toBe(true);
    expect(event.get("hello")).toBe("world");
    expect(event.get("baz")).toBe("fizz");
    expect(event.get("doublequoted")).toBe("hello world");
    expect(event.get("singlequoted")).toBe("hello world");
    expect(event.get("bracketsone")).toBe("hello world");
    expect(event.get("bracketstwo")).toBe("hello world");
    expect(event.get("bracketsthree")).toBe("hello world");
  });

  it("include_brackets => false leaves brackets as plain text", () => {
    const { event } = setup(`include_brackets => false`).run({
      message: "one=(hello world) two=[hello world]",
    });
    expect(event.get("one")).toBe("(hello");
    expect(event.get("two")).toBe("[hello");
  });

  it("lenient whitespace allows spaces around the separator; strict does not", () => {
    const lenient = setup("").run({ message: "hello = world foo =bar baz= fizz" }).event;
    expect([lenient.get("hello"), lenient.get("foo"), lenient.get("baz")]).toEqual(["world", "bar", "fizz"]);
    const strict = setup(`whitespace => "strict"`).run({
      message: "hello = world foo =bar baz= fizz whitespace=none strict=true IN=eth0 OUT= MAC=0f:5f",
    }).event;
    expect(Object.keys(strict.toObject()).sort()).toEqual(
      ["@timestamp", "@version", "IN", "MAC", "message", "strict", "whitespace"].sort(),
    );
    expect(strict.get("OUT")).toBeUndefined();
  });

  it("uses field_split and value_split as character sets; escaped separators stay in keys and values", () => {
    const { event } = setup(`field_split => "?&" value_split => ":"`).run({
      message: "?hello:world&foo:bar&ignoreme&foo12:bar12",
    });
    expect(event.get("hello")).toBe("world");
    expect(event.get("foo12")).toBe("bar12");
    expect(event.includes("ignoreme")).toBe(false);
    const escaped = setup(`value_split => ":"`).run({
      message: "IKE:=Quick\\ Mode\\ completion IKE\\ IDs:=x",
    });
    expect(escaped.event.get("IKE")).toBe("=Quick\\ Mode\\ completion");
    expect(escaped.event.get("IKE\\ IDs")).toBe("=x");
  });

  it("uses field_split_pattern and value_split_pattern as regexes", () => {
    const multi = setup(`field_split_pattern => "_+" value_split_pattern => ":+"`).run({
      message: "a::1__b:::2_c:3",
    });
    expect([multi.event.get("a"), multi.event.get("b"), multi.event.get("c")]).toEqual(["1", "2", "3"]);
    const guy = setup(`field_split_pattern => ";\\s*(?=key.+?:)|;$" value_split_pattern => ":\\s+"`).run({
      message: 'key1: val1; key2: val2; key3:  https://site/?g={......"...;  CLR  rv:11.0)"..}; key4: val4;',
    });
    expect(guy.event.get("key3")).toBe('https://site/?g={......"...;  CLR  rv:11.0)"..}');
    expect(guy.event.get("key4")).toBe("val4");
    const quoted = setup(`field_split_pattern => "!!!!!"`).run({
      message: 'foo=bar!!!!!baz="quoted stuff" and more!!!!!blip="this!!!!!is it"!!!!!empty=""',
    });
    expect(quoted.event.get("baz")).toBe('"quoted stuff" and more');
    expect(quoted.event.get("blip")).toBe("this!!!!!is it");
    expect(quoted.event.includes("empty")).toBe(false);
  });

  it("handles empty values with both splitter kinds, and keeps them with allow_empty_values", () => {
    for (const body of [`field_split => "|"`, `field_split_pattern => "\\|" value_split_pattern => "="`]) {
      const { event } = setup(body).run({ message: "a=1|b=|c=3" });
      expect([event.get("a"), event.includes("b"), event.get("c")]).toEqual(["1", false, "3"]);
    }
    const { event } = setup(`allow_empty_values => true whitespace => strict`).run({
      message: "present=one empty= emptyquoted='' emptybracketed=[] endofinput=",
    });
    expect(event.get("empty")).toBe("");
    expect(event.get("emptyquoted")).toBe("");
    expect(event.get("emptybracketed")).toBe("");
    expect(event.get("endofinput")).toBe("");
  });

  it("recursive parses values that hold pairs", () => {
    const { event } = setup(`recursive => true`).run({
      message: 'IKE="Quick Mode completion" IDs = (subnet= x.x.x.x mask= 255.255.255.254 and host=y.y.y.y)',
    });
    expect(event.get("IKE")).toBe("Quick Mode completion");
    expect(event.get("IDs")).toEqual({ subnet: "x.x.x.x", mask: "255.255.255.254", host: "y.y.y.y" });
  });
});

describe("kv filter: keys and values", () => {
  it("trims and removes characters from keys and values", () => {
    const trimmed = setup(`field_split => " " trim_value => "<>," trim_key => "%+"`).run({
      message: "to=<foo@example.com>, %+relay=mail.example.com[private/dovecot-lmtp], status=sent",
    });
    expect(trimmed.event.get("to")).toBe("foo@example.com");
    expect(trimmed.event.get("relay")).toBe("mail.example.com[private/dovecot-lmtp]");
    const removed = setup(`field_split => "|" remove_char_value => " " remove_char_key => " "`).run({
      message: " key1 =  value1 with spaces | key2 with spaces =value2",
    });
    expect(removed.event.get("key1")).toBe("value1withspaces");
    expect(removed.event.get("key2withspaces")).toBe("value2");
  });

  it("transforms keys and values", () => {
    const upper = setup(`transform_key => "uppercase" transform_value => "lowercase"`).run({
      message: 'hello = world Foo =Bar doublequoteD = "hellO worlD"',
    }).event;
    expect([upper.get("HELLO"), upper.get("FOO"), upper.get("DOUBLEQUOTED")]).toEqual([
      "world",
      "bar",
      "hello world",
    ]);
    const caps = setup(`transform_key => "capitalize" transform_value => "capitalize"`).run({
      message: "fOo =bAR",
    });
    expect(caps.event.get("Foo")).toBe("Bar");
  });

  it("include_keys, exclude_keys (sprintf allowed) and prefix", () => {
    const include = setup(`include_keys => ["foo", "%{which}"] prefix => "__"`).run({
      message: SAMPLE,
      which: "baz",
    });
    expect(include.event.get("__foo")).toBe("bar");
    expect(include.event.get("__baz")).toBe("fizz");
    expect(include.event.includes("__hello")).toBe(false);
    const exclude = setup(`exclude_keys => ["foo", "singlequoted"]`).run({ message: SAMPLE });
    expect(exclude.event.includes("foo")).toBe(false);
    expect(exclude.event.get("hello")).toBe("world");
  });

  it("default_keys fill missing keys, even without a source", () => {
    const { run } = setup(`default_keys => ["foo", "xxx", "goo", "yyy"]`);
    const { event } = run({ message: "hello=world foo=bar" });
    expect(event.get("foo")).toBe("bar");
    expect(event.get("goo")).toBe("yyy");
    const empty = run({});
    expect(empty.matched).toBe(true);
    expect(empty.event.get("foo")).toBe("xxx");
  });

  it("collects repeated keys; allow_duplicate_values => false drops repeats", () => {
    const all = setup(`field_split => "&"`).run({ message: "foo=bar&foo=yeah&foo=yeah" });
    expect(all.event.get("foo")).toEqual(["bar", "yeah", "yeah"]);
    const unique = setup(`field_split => "&" allow_duplicate_values => false`).run({
      message: "foo=bar&foo=yeah&foo=yeah",
    });
    expect(unique.event.get("foo")).toEqual(["bar", "yeah"]);
  });

  it("writes under target and reads from source; arrays of strings are all parsed", () => {
    const { run } = setup(`source => "data" target => "kv"`);
    const { event } = run({ data: ["hello=world", "foo=bar", 5] });
    expect(event.get("kv")).toEqual({ hello: "world", foo: "bar" });
    const none = run({ data: "no pairs here" });
    expect(none.matched).toBe(false);
    expect(none.event.includes("kv")).toBe(false);
    const overwrite = setup(`source => "happy" target => "happy"`).run({ happy: "foo=bar baz=fizz" });
    expect(overwrite.event.get("happy")).toEqual({ foo: "bar", baz: "fizz" });
  });

  it("tags _kv_filter_error (or tag_on_failure) when a key is not a field reference", () => {
    const { run, failures } = setup("");
    const { event, matched } = run({ message: "ok=1 [bad=2" });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_kv_filter_error"]);
    expect(failures).toEqual(["kv_error"]);
    const custom = setup(`tag_on_failure => ["KV-ERROR", "two"]`).run({ message: "[bad=2" });
    expect(custom.event.get("tags")).toEqual(["KV-ERROR", "two"]);
  });

  it("tags _kv_filter_timeout (or tag_on_timeout) when an event takes too long, and sets nothing", () => {
    const { run, failures } = setup(
      `timeout_millis => 1 tag_on_timeout => "BADKV" default_keys => { "d" => "k" } add_field => { "kv" => "ok" }`,
    );
    const text = Array.from({ length: 20_000 }, (_, i) => `k${i}=v${i}`).join(" ");
    const { event, matched } = run({ message: text });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["BADKV"]);
    expect(event.includes("d")).toBe(false);
    expect(event.includes("k1")).toBe(false);
    expect(failures).toEqual(["kv_timeout"]);
    const disabled = setup(`timeout_millis => 0`).run({ message: text });
    expect(disabled.event.get("k19999")).toBe("v19999");
  });

  it("refuses empty splitters and bad patterns", () => {
    expect(refused(`value_split => ""`)).toMatch(/value_split/);
    expect(refused(`field_split_pattern => ""`)).toMatch(/field_split_pattern/);
    expect(refused(`value_split_pattern => ""`)).toMatch(/value_split_pattern/);
    expect(refused(`value_split_pattern => "("`)).not.toBe("accepted");
    expect(diagnosticsOf(`whitespace => "loose"`).map((d) => d.code)).toEqual(["invalid-option"]);
  });

  it("says when ECS is on and no target is set", () => {
    expect(setup("", "v1").logs.some((l) => l.includes("`target` option was not specified"))).toBe(true);
    expect(setup(`target => "kv"`, "v1").logs).toEqual([]);
  });
});
