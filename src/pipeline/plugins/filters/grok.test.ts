import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Event } from "../../event/index.js";
import { StartupError } from "../api.js";
import { grokFilter } from "./grok.js";
import { filterHarness } from "./testing.js";

const SPEC = grokFilter;

describe("grok filter: matching and captures", () => {
  it("stores named captures and matches an array field element by element", () => {
    const { run } = setup(`match => { "message" => "(?:hello|world) %{NUMBER:num}" }`);
    expect(run({ message: ["hello 12345", "world 23456"] }).event.get("num")).toEqual(["12345", "23456"]);
    const { event, matched } = run({ message: "say hello 42" });
    expect(matched).toBe(true);
    expect(event.get("num")).toBe("42");
    expect(event.get("tags")).toBeUndefined();
  });

  it("coerces :int and :float as Ruby's to_i/to_f", () => {
    const { run } = setup(`match => { "message" => "%{NUMBER:foo:int} %{NUMBER:bar:float} %{WORD:w:int}" }`);
    const { event } = run({ message: "400 454.33 abc" });
    expect(event.get("foo")).toBe(400);
    expect(event.get("bar")).toBe(454.33);
    expect(event.get("w")).toBe(0);
    expect(run({ message: "-1.9 2.5 x9" }).event.get("foo")).toBe(-1);
  });

  it("inline definitions %{NAME=regex} and named_captures_only => false", () => {
    const { run } = setup(`match => { "message" => "%{FIZZLE=\\d+}" } named_captures_only => false`);
    expect(run({ message: "hello 1234" }).event.get("FIZZLE")).toBe("1234");
    const bare = setup(`match => { "message" => "Hello %{WORD}. %{WORD:foo}" } named_captures_only => false`);
    const { event } = bare.run({ message: "Hello World, yo!" });
    expect(event.get("WORD")).toBe("World");
    expect(event.get("foo")).toBe("yo");
    const only = setup(`match => { "message" => "Hello %{WORD}. %{WORD:foo}" }`).run({
      message: "Hello World, yo!",
    });
    expect(only.event.get("WORD")).toBeUndefined();
    expect(only.event.get("foo")).toBe("yo");
  });

  it("Oniguruma named captures, field references as names, dashes in names", () => {
    expect(
      setup(`match => { "message" => "(?<foo>\\w+)" }`).run({ message: "hello world" }).event.get("foo"),
    ).toBe("hello");
    const nested = setup(`match => { "message" => "(?<[http][method]>[A-Z]+) %{NOTSPACE:[url][path]}" }`);
    const { event } = nested.run({ message: "GET /index.html" });
    expect(event.get("[http][method]")).toBe("GET");
    expect(event.get("[url][path]")).toBe("/index.html");
    const stamp = setup(`match => { "message" => "(?<timestamp>%{DATE_EU} %{TIME})" }`);
    expect(stamp.run({ message: "fancy 12-12-12 12:12:12" }).event.get("timestamp")).toBe(
      "12-12-12 12:12:12",
    );
    expect(
      setup(`match => { "message" => "%{WORD:foo-bar}" }`).run({ message: "hi" }).event.get("foo-bar"),
    ).toBe("hi");
  });

  it("translates Oniguruma syntax: atomic groups, possessive quantifiers, POSIX classes, \\h, (?m), (?i)", () => {
    const cases: [string, string, string | undefined][] = [
      ["^(?<v>(?>a+))b$", "aaab", "aaa"],
      ["^(?<v>a++)a$", "aaaa", undefined],
      ["^(?<v>[[:digit:]]+)[[:space:]]", "123 x", "123"],
      ["^(?<v>\\h+)$", "DeadBeef", "DeadBeef"],
      ["(?m)^a(?<v>.+)z$", "a\\nb\\nz", "\nb\n"],
      ["(?i)^(?<v>hello)$", "HeLLo", "HeLLo"],
      ["\\A(?<v>x)\\z", "x", "x"],
    ];
    for (const [pattern, message, expected] of cases) {
      const { event, matched } = setup(`match => { "message" => "${pattern}" }`).run({
        message: message.replaceAll("\\n", "\n"),
      });
      expect({ pattern, matched, v: event.get("v") }).toEqual({
        pattern,
        matched: expected !== undefined,
        v: expected,
      });
    }
  });

  it("matches unicode text", () => {
    const { run } = setup(
      `match => { "message" => "<%{POSINT:syslog_pri}>%{SPACE}%{GREEDYDATA:message}" } overwrite => "message"`,
    );
    const { event } = run({
      message:
        "<22>Jan 4 07:50:46 mailmaster postfix/policy-spf[9454]: : SPF permerror (Junk encountered in record 'v=spf1 mx a:mail.domain.no ip4:192.168.0.4 �all'): Envelope-from: email@domain.no",
    });
    expect(event.get("syslog_pri")).toBe("22");
    expect(String(event.get("message"))).toContain("�all");
  });

  it("leaves out captures that matched nothing unless keep_empty_captures", () => {
    const dropped = setup(`match => { "message" => "1=%{WORD:foo1} *(2=%{WORD:foo2})?" }`).run({
      message: "1=test",
    });
    expect(dropped.event.get("foo1")).toBe("test");
    expect(dropped.event.includes("foo2")).toBe(false);
    const kept = setup(
      `match => { "message" => "1=%{WORD:foo1} *(2=%{WORD:foo2})?" } keep_empty_captures => true`,
    );
    const { event } = kept.run({ message: "1=test" });
    expect(event.includes("foo2")).toBe(true);
    expect(event.get("foo2")).toBeNull();
  });

  it("adds to an existing field (text becomes an array) unless it is in overwrite", () => {
    const { run } = setup(`match => { "message" => "%{SYSLOGLINE}" }`);
    const line = "Mar 16 00:01:25 evita postfix/smtpd[1713]: connect from camomile.cloud9.net";
    expect(run({ message: line }).event.get("message")).toEqual([line, "connect from camomile.cloud9.net"]);
    const over = setup(`match => { "message" => "%{SYSLOGLINE}" } overwrite => [ "message" ]`);
    expect(over.run({ message: line }).event.get("message")).toBe("connect from camomile.cloud9.net");
    const numeric = setup(`match => { "message" => "%{INT:n}" }`).run({ message: "5", n: 7 });
    expect(numeric.event.get("n")).toBe(7);
    const list = setup(`match => { "message" => "%{INT:n}" }`).run({ message: "5", n: ["1"] });
    expect(list.event.get("n")).toEqual(["1", "5"]);
  });

  it("repeated capture names fill an array in pattern order", () => {
    const { run } = setup(`match => { "message" => "%{INT:n} %{INT:n} %{WORD:w}" }`);
    const { event } = run({ message: "1 2 x" });
    expect(event.get("n")).toEqual(["1", "2"]);
    const either = setup(`match => { "message" => "%{INT:foo}|%{WORD:foo}" }`);
    expect(either.run({ message: "hello world" }).event.get("foo")).toBe("hello");
    expect(either.run({ message: "123 world" }).event.get("foo")).toBe("123");
  });

  it("puts captures under target (plain name or field reference)", () => {
    const line = "Mar 16 00:01:25 evita postfix/smtpd[1713]: connect";
    const plain = setup(`match => { "message" => "%{SYSLOGLINE}" } target => "grok"`).run({ message: line });
    expect(plain.event.get("[grok][program]")).toBe("postfix/smtpd");
    expect(plain.event.get("message")).toBe(line);
    const deep = setup(`match => { "message" => "%{SYSLOGLINE}" } target => "[@metadata][grok]"`, "v8").run({
      message: line,
    });
    expect(deep.event.get("[@metadata][grok][process][name]")).toBe("postfix/smtpd");
    expect(deep.event.get("[@metadata][grok][host][hostname]")).toBe("evita");
  });

  it("matches a missing field as empty text, as Logstash's to_s does", () => {
    const { run } = setup(`match => { "nothere" => "^$" }`);
    expect(run({ message: "x" }).matched).toBe(true);
    expect(setup(`match => { "n" => "^%{INT:copy}$" }`).run({ n: 42 }).event.get("copy")).toBe("42");
  });
});

describe("grok filter: match forms and break_on_match", () => {
  it("array form with several patterns per field, tried in order", () => {
    const { run } = setup(`match => [ "message", "^%{INT:int}$", "message", "^%{WORD:word}$" ]`);
    expect(run({ message: "12" }).event.get("int")).toBe("12");
    expect(run({ message: "abc" }).event.get("word")).toBe("abc");
    expect(run({ message: "a b" }).event.get("tags")).toEqual(["_grokparsefailure"]);
  });

  it("hash form with a list; break_on_match false tries all patterns of all fields", () => {
    const first = setup(`match => { "message" => ["%{INT:a}", "%{WORD:b}"] }`).run({ message: "x 1" });
    expect(first.event.get("a")).toBe("1");
    expect(first.event.get("b")).toBeUndefined();
    const all = setup(`match => { "message" => ["%{INT:a}", "%{WORD:b}"] } break_on_match => false`);
    expect(all.run({ message: "x 1" }).event.toObject()).toMatchObject({ a: "1", b: "x" });
    const fields = setup(`match => { "message" => "%{INT:foo}" "somefield" => "%{INT:bar}" }`);
    const stopped = fields.run({ message: "hello world 123", somefield: "testme abc 999" }).event;
    expect([stopped.get("foo"), stopped.get("bar")]).toEqual(["123", undefined]);
    const both = setup(
      `match => { "message" => "%{INT:foo}" "somefield" => "%{INT:bar}" } break_on_match => false`,
    );
    const tried = both.run({ message: "hello world 123", somefield: "testme abc 999" }).event;
    expect([tried.get("foo"), tried.get("bar")]).toEqual(["123", "999"]);
  });

  it("an array input matches if any element does; break_on_match applies per element", () => {
    const { run } = setup(`match => { "message" => ["^%{INT:n}$", "^%{WORD:w}$"] }`);
    const { event, matched } = run({ message: ["1", "a", "?"] });
    expect(matched).toBe(true);
    expect([event.get("n"), event.get("w")]).toEqual(["1", "a"]);
  });
});

describe("grok filter: failures and timeouts", () => {
  it("tags tag_on_failure when nothing matches and counts it", () => {
    const { run, failures } = setup(
      `match => { "message" => "matchme %{NUMBER:fancy}" } tag_on_failure => "not_a_match"`,
    );
    expect(run({ message: "matchme 1234" }).event.get("tags")).toBeUndefined();
    const { event, matched } = run({ message: "this will not be matched" });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["not_a_match"]);
    expect(failures).toEqual(["grok_no_match"]);
    expect(
      setup(`match => { "message" => "x" } tag_on_failure => []`).run({ message: "y" }).event.get("tags"),
    ).toBe(undefined);
  });

  it("a catastrophic linear-engine pattern fails fast instead of hanging (V8's linear fallback)", () => {
    const { run } = setup(`match => { "message" => "^(\\w+\\s?)*$" }`);
    const started = Date.now();
    const { event } = run({ message: `${"a".repeat(5000)}!` });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(event.get("tags")).toEqual(["_grokparsefailure"]);
  });

  it("a catastrophic pattern the linear engine refuses times out and is tagged _groktimeout", () => {
    const { run, logs, failures } = setup(`match => { "message" => "(.*a){30}" } timeout_millis => 100`);
    const started = Date.now();
    const { event, matched } = run({ message: "a".repeat(68) });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_groktimeout"]);
    expect(failures).toEqual(["grok_timeout"]);
    expect(logs.some((l) => l.includes("Timeout executing grok '(.*a){30}' against field 'message'"))).toBe(
      true,
    );
    const custom = setup(
      `match => { "message" => "^(\\w+\\s?)*(?<!a)$" } timeout_millis => 50 tag_on_timeout => "slow"`,
    );
    expect(custom.run({ message: "a".repeat(40) }).event.get("tags")).toEqual(["slow"]);
  });

  it("timeout_scope pattern gives each pattern its budget; event gives one budget to all", () => {
    const patterns = `[ "(.*f){20}", "(.*e){20}", "(.*d){20}", "(.*c){20}", "(.*b){20}", "(.*a){20}" ]`;
    const line = `${"b".repeat(15)}${"c".repeat(15)}${"d".repeat(15)}${"e".repeat(15)} ${"a".repeat(20)}`;
    const perPattern = setup(`match => { "message" => ${patterns} } timeout_millis => 10000`).run({
      message: line,
    });
    expect(perPattern.matched).toBe(true);
    expect(perPattern.event.get("tags")).toBeUndefined();
    const slow = `[ "(.*a){30}", "(.*a){30}", "(.*a){30}", "(.*a){30}", "^a" ]`;
    const perEvent = setup(
      `match => { "message" => ${slow} } timeout_millis => 150 timeout_scope => "event"`,
    );
    const started = Date.now();
    const { event } = perEvent.run({ message: "a".repeat(68) });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(event.get("tags")).toEqual(["_groktimeout"]);
  });

  it("timeout_millis => 0 runs without a timer", () => {
    const { run } = setup(`match => { "message" => "(?<x>a)(?<!b)(?<y>.*)" } timeout_millis => 0`);
    expect(run({ message: "abc" }).event.get("y")).toBe("bc");
  });

  it("the default timeout gives the same fields as no timeout, on the native path and when its checks fall back", () => {
    const line =
      '10.1.2.3 - frank [10/Oct/2023:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 2326 "https://x.example/" "curl/8.1"';
    for (const mode of ["disabled", "v8"] as const) {
      const bounded = setup(`match => { "message" => "%{COMBINEDAPACHELOG}" }`, mode).run({ message: line });
      const free = setup(`match => { "message" => "%{COMBINEDAPACHELOG}" } timeout_millis => 0`, mode).run({
        message: line,
      });
      expect(bounded.matched).toBe(true);
      const fields = (event: Event) => ({ ...event.toObject(), "@timestamp": undefined });
      expect(fields(bounded.event)).toEqual(fields(free.event));
      expect(bounded.event.get(mode === "v8" ? "[source][address]" : "clientip")).toBe("10.1.2.3");
    }
    const ip = setup(`match => { "message" => "%{IP:ip}" }`);
    expect(ip.run({ message: "from 10.0.0.1" }).event.get("ip")).toBe("10.0.0.1");
    // The linear rewrite would take "4.5.6.7"; the digit before it sends the match to the exact path.
    const edge = ip.run({ message: "_1234.5.6.7" });
    expect(edge.matched).toBe(false);
    expect(edge.event.get("tags")).toEqual(["_grokparsefailure"]);
  });

  it("refuses an unknown pattern and an invalid regex at create time", () => {
    expect(refused(`match => { "message" => "%{NOPE:x}" }`)).toContain("pattern %{NOPE:x} not defined");
    expect(refused(`match => { "message" => "(unclosed" }`)).toContain("cannot compile grok pattern");
    expect(
      refused(`pattern_definitions => { "A" => "%{B}" "B" => "%{A}" } match => { "message" => "%{A}" }`),
    ).toContain("nest deeper");
    expect(refused(`match => { "message" => "%{WORD:x}" }`)).toBe("accepted");
  });

  it("validates option types and the timeout_scope words", () => {
    expect(
      diagnosticsOf(`match => { "message" => "x" } timeout_scope => "field"`).map((d) => d.code),
    ).toEqual(["invalid-option"]);
    expect(
      diagnosticsOf(`match => { "message" => "x" } timeout_millis => "soon"`).map((d) => d.code),
    ).toEqual(["invalid-option"]);
    expect(diagnosticsOf(`match => { "message" => "x" } break_on_match => false overwrite => ["a"]`)).toEqual(
      [],
    );
  });
});

describe("grok filter: pattern sources and ECS modes", () => {
  it("pattern_definitions add patterns and override built-in ones", () => {
    const { run } = setup(
      `pattern_definitions => { "GREETING" => "hel+o" "WORD" => "[a-z]+" } match => { "message" => "%{GREETING:g} %{WORD:w}" }`,
    );
    const { event } = run({ message: "hello world" });
    expect(event.get("g")).toBe("hello");
    expect(event.get("w")).toBe("world");
    expect(run({ message: "hello World" }).matched).toBe(false);
  });

  it("patterns_dir reads pattern files (comments skipped, later files win); patterns_files_glob filters them", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "grok-patterns-"));
    writeFileSync(path.join(dir, "a.grok"), "# comment\n  SHOUT [A-Z]+\nEMPTY\nTICKET T-%{INT}\r\n");
    writeFileSync(path.join(dir, "b.grok"), "SHOUT [A-Z]{2}\n");
    writeFileSync(path.join(dir, "c.txt"), "TICKET X-%{INT}\n");
    mkdirSync(path.join(dir, "sub"));
    const all = setup(`patterns_dir => ["${dir}"] match => { "message" => "%{SHOUT:s} %{TICKET:t}" }`);
    const { event } = all.run({ message: "ABCD X-7" });
    expect([event.get("s"), event.get("t")]).toEqual(["CD", "X-7"]);
    const globbed = setup(
      `patterns_dir => ["${dir}"] patterns_files_glob => "*.grok" match => { "message" => "^%{TICKET:t}$" }`,
    );
    expect(globbed.run({ message: "T-9" }).event.get("t")).toBe("T-9");
    expect(globbed.run({ message: "X-9" }).matched).toBe(false);
    const asGlob = setup(`patterns_dir => ["${dir}/a.*"] match => { "message" => "^%{TICKET:t}$" }`);
    expect(asGlob.run({ message: "T-1" }).matched).toBe(true);
  });

  it("ecs_compatibility picks the legacy or the ECS field names", () => {
    const line =
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "-" "curl/8"';
    const legacy = setup(`match => { "message" => "%{COMBINEDAPACHELOG}" }`, "disabled").run({
      message: line,
    });
    expect(legacy.event.toObject()).toMatchObject({
      clientip: "127.0.0.1",
      auth: "frank",
      response: "200",
      bytes: "2326",
    });
    for (const mode of ["v1", "v8"] as const) {
      const ecs = setup(`match => { "message" => "%{COMBINEDAPACHELOG}" }`, mode).run({ message: line });
      expect(ecs.event.toObject()).toMatchObject({
        source: { address: "127.0.0.1" },
        user: { name: "frank" },
        http: {
          request: { method: "GET" },
          response: { status_code: 200, body: { bytes: 2326 } },
          version: "1.0",
        },
        url: { original: "/apache_pb.gif" },
        user_agent: { original: "curl/8" },
      });
      expect(ecs.event.get("clientip")).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------- test harness (filters/testing.ts, plus grok's own refusal check)

const { configure, setup, diagnosticsOf } = filterHarness(SPEC);

/** The error create() throws for a configuration Logstash refuses at register time. */
function refused(body: string): string {
  const { options, context } = configure(body);
  try {
    SPEC.create(options, context);
  } catch (err) {
    // Pattern problems are Logstash's register-time errors: reported as such, so `-t` passes them as Logstash does.
    expect(err).toBeInstanceOf(StartupError);
    return (err as Error).message;
  }
  return "accepted";
}
