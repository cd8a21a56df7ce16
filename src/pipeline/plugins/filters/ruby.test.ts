import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Event, Timestamp } from "../../event/index.js";
import { rubyVm } from "../../ruby/vm.js";
import { harness } from "../../runtime/test-plugins.js";
import { rubyFilter } from "./ruby.js";
import { filterHarness } from "./testing.js";

const { setup, refused, diagnosticsOf } = filterHarness(rubyFilter);
const dir = mkdtempSync(join(tmpdir(), "sluice-ruby-"));

function script(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

// The VM is shared by the process; boot it once for the file (about a second).
beforeAll(() => {
  rubyVm();
}, 30_000);

describe("ruby filter: inline code", () => {
  it("sets a field and counts as matched (add_tag applies)", () => {
    const { run } = setup(`code => "event.set('x', 1)"`);
    const { event, matched } = run({ message: "hi" });
    expect(matched).toBe(true);
    expect(event.get("x")).toBe(1);
    expect(event.get("message")).toBe("hi");
  });

  it("reads, removes, checks and tags, seeing its own writes", () => {
    const code = [
      "event.set('[a][b]', event.get('message').upcase)",
      "event.set('seen', event.get('[a][b]'))",
      "event.set('had', [event.include?('gone'), event.include?('nope')])",
      "event.set('removed', event.remove('gone'))",
      "event.set('still', event.include?('gone'))",
      "event.tag('ruby'); event.tag('ruby')",
      "event.set('tags_seen', event.get('tags'))",
    ].join("; ");
    const { event } = setup(`code => "${code}"`).run({ message: "hi", gone: { k: [1, 2] } });
    expect(event.get("[a][b]")).toBe("HI");
    expect(event.get("seen")).toBe("HI");
    expect(event.get("had")).toEqual([true, false]);
    expect(event.get("removed")).toEqual({ k: [1, 2] });
    expect(event.get("still")).toBe(false);
    expect(event.get("gone")).toBeUndefined();
    expect(event.get("tags")).toEqual(["ruby"]);
    expect(event.get("tags_seen")).toEqual(["ruby"]);
  });

  it("passes values of every JSON type both ways, and get returns copies", () => {
    const code = [
      "v = event.get('v'); event.set('types', v.map { |x| x.class.name })",
      "h = event.get('h'); h['added'] = 1",
      "event.set('copy', event.get('h').merge('n' => nil, 'f' => 1.5))",
    ].join("; ");
    const { event } = setup(`code => "${code}"`).run({
      v: ["s", 1, 2.5, true, null, [1], { a: 1 }],
      h: { x: "y" },
    });
    expect(event.get("types")).toEqual([
      "String",
      "Integer",
      "Float",
      "TrueClass",
      "NilClass",
      "Array",
      "Hash",
    ]);
    expect(event.get("h")).toEqual({ x: "y" });
    expect(event.get("copy")).toEqual({ x: "y", n: null, f: 1.5 });
  });

  it("to_hash leaves out @metadata, to_hash_with_metadata keeps it, and @metadata reads and writes", () => {
    const code = [
      "event.set('keys', event.to_hash.keys.sort)",
      "event.set('meta_keys', event.to_hash_with_metadata.keys.sort)",
      "event.set('[@metadata][out]', event.get('[@metadata][in]') + 1)",
    ].join("; ");
    const { event } = setup(`code => "${code}"`).run({ message: "m", "@metadata": { in: 1 } });
    expect(event.get("keys")).toEqual(["@timestamp", "@version", "message"]);
    expect(event.get("meta_keys")).toEqual(["@metadata", "@timestamp", "@version", "keys", "message"]);
    expect(event.get("[@metadata][out]")).toBe(2);
  });

  it("round-trips timestamps: Timestamp objects, nested ones, Time values and ISO text", () => {
    const code = [
      "ts = event.timestamp",
      "event.set('cls', ts.class.name)",
      "event.set('epoch', ts.to_i)",
      "event.set('usec', ts.usec)",
      "event.set('year', ts.time.year)",
      "event.set('copy', ts)",
      "event.set('nested_cls', event.get('[n][t]').class.name)",
      "event.set('later', Time.at(ts.to_i + 60))",
      "event.timestamp = LogStash::Timestamp.at(0)",
    ].join("; ");
    const when = Timestamp.parse("2024-05-06T07:08:09.123456Z")!;
    const { event } = setup(`code => "${code}"`).run({
      "@timestamp": when,
      n: { t: Timestamp.parse("2020-01-01T00:00:00.000Z") },
    });
    expect(event.get("cls")).toBe("LogStash::Timestamp");
    expect(event.get("epoch")).toBe(Math.floor(when.epochMs / 1000));
    expect(event.get("usec")).toBe(123456);
    expect(event.get("year")).toBe(2024);
    expect(event.get("copy")).toBeInstanceOf(Timestamp);
    expect((event.get("copy") as Timestamp).toString()).toBe("2024-05-06T07:08:09.123456Z");
    expect(event.get("nested_cls")).toBe("LogStash::Timestamp");
    expect(event.get("later")).toBeInstanceOf(Timestamp);
    expect((event.get("later") as Timestamp).toString()).toBe("2024-05-06T07:09:09.000Z");
    expect(event.timestamp?.toString()).toBe("1970-01-01T00:00:00.000Z");
  });

  it("sprintf uses the event's own formatting, also on new events", () => {
    const code = [
      "event.set('s', event.sprintf('%{message}-%{[n][k]}-%{+YYYY}'))",
      "e = LogStash::Event.new('message' => 'new', '@timestamp' => LogStash::Timestamp.at(0))",
      "event.set('s2', e.sprintf('%{message} %{+YYYY.MM.dd}'))",
    ].join("; ");
    const { event } = setup(`code => "${code}"`).run({
      message: "m",
      n: { k: "v" },
      "@timestamp": Timestamp.parse("2024-01-02T00:00:00Z"),
    });
    expect(event.get("s")).toBe("m-v-2024");
    expect(event.get("s2")).toBe("new 1970.01.01");
  });

  it("cancels events, and uncancel undoes it", () => {
    expect(setup(`code => "event.cancel"`).run({ message: "x" }).event.cancelled).toBe(true);
    expect(setup(`code => "event.cancel; event.uncancel"`).run({ message: "x" }).event.cancelled).toBe(false);
    const { event } = setup(`code => "event.cancel; event.set('c', event.cancelled?)"`).run({});
    expect(event.get("c")).toBe(true);
  });

  it("emits new events through new_event_block, clones included", () => {
    const code = [
      "new_event_block.call(LogStash::Event.new('message' => 'made', 'n' => { 'k' => [1] }, '@metadata' => { 'm' => 1 }))",
      "c = event.clone; c.set('cloned', true); new_event_block.call(c)",
    ].join("; ");
    const { run, emitted } = setup(`code => "${code}"`);
    const { event } = run({ message: "orig", "@timestamp": Timestamp.parse("2024-01-01T00:00:00Z") });
    expect(event.get("cloned")).toBeUndefined();
    expect(emitted).toHaveLength(2);
    expect(emitted[0]!.get("message")).toBe("made");
    expect(emitted[0]!.get("n")).toEqual({ k: [1] });
    expect(emitted[0]!.get("[@metadata][m]")).toBe(1);
    expect(emitted[0]!.timestamp).toBeInstanceOf(Timestamp);
    expect(emitted[1]!.get("message")).toBe("orig");
    expect(emitted[1]!.get("cloned")).toBe(true);
    expect(emitted[1]!.timestamp?.toString()).toBe("2024-01-01T00:00:00.000Z");
  });

  it("runs init once per instance, in that instance's own object", () => {
    const first = setup(`init => "@count = 0; def bump; @count += 1; end" code => "event.set('n', bump)"`);
    const second = setup(`init => "@count = 100" code => "event.set('n', @count += 1)"`);
    expect(first.run({}).event.get("n")).toBe(1);
    expect(first.run({}).event.get("n")).toBe(2);
    expect(second.run({}).event.get("n")).toBe(101);
    expect(first.run({}).event.get("n")).toBe(3);
  });

  it("tags _rubyexception on a raise, keeps writes made before it, logs and counts", () => {
    const { run, logs, failures } = setup(
      `code => "event.set('before', 1); raise 'boom'; event.set('after', 1)"`,
    );
    const { event, matched } = run({ message: "x" });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_rubyexception"]);
    expect(event.get("before")).toBe(1);
    expect(event.get("after")).toBeUndefined();
    expect(failures).toEqual(["ruby_exception"]);
    expect(logs.some((l) => l.includes("Ruby exception occurred: boom") && l.includes("RuntimeError"))).toBe(
      true,
    );
  });

  it("catches non-StandardError exceptions and errors from the event API", () => {
    const { run } = setup(`code => "event.set('[bad', 1)"`);
    expect(run({}).event.get("tags")).toEqual(["_rubyexception"]);
    const script = setup(`code => "raise NotImplementedError, 'nope'"`);
    expect(script.run({}).event.get("tags")).toEqual(["_rubyexception"]);
    const timestamp = setup(`code => "event.set('@timestamp', 'not a date')"`);
    expect(timestamp.run({}).event.get("tags")).toEqual(["_rubyexception"]);
  });

  it("turns an error inside a read (bad field reference) into a Ruby exception the code can rescue", () => {
    const { run } = setup(
      `code => "begin; event.get('[bad'); rescue => e; event.set('rescued', e.class.name); end; event.get('[bad')"`,
    );
    const { event } = run({});
    expect(event.get("rescued")).toMatch(/Error/);
    expect(event.get("tags")).toEqual(["_rubyexception"]);
  });

  it("tags an event whose writes cannot be encoded (binary text) and keeps the pipeline going", () => {
    const { run } = setup(`code => "event.set('bin', [255].pack('C'))"`);
    const { event, matched } = run({ message: "x" });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_rubyexception"]);
    expect(event.get("bin")).toBeUndefined();
  });

  it("gives nil for missing fields and parses ISO text in LogStash::Event.new", () => {
    const code = [
      "event.set('missing', event.get('[no][such]').nil?)",
      "e = LogStash::Event.new('@timestamp' => '2021-02-03T04:05:06Z', 'k' => :sym)",
      "event.set('made', [e.timestamp.to_i, e.get('k'), e.include?('k'), e.get('@version')])",
    ].join("; ");
    const { event } = setup(`code => "${code}"`).run({});
    expect(event.get("missing")).toBe(true);
    expect(event.get("made")).toEqual([1612325106, "sym", true, "1"]);
  });

  it("close lets go of the instance and may be called twice", () => {
    const { filter, run } = setup(`code => "event.set('x', 1)"`);
    expect(run({}).event.get("x")).toBe(1);
    filter.close?.();
    expect(() => filter.close?.()).not.toThrow();
  });

  it("tag_on_exception and tag_with_exception_message choose the tags", () => {
    const { run } = setup(
      `code => "raise ArgumentError, 'bad input'" tag_on_exception => "_oops" tag_with_exception_message => true`,
    );
    expect(run({}).event.get("tags")).toEqual(["_oops", "_oops: bad input"]);
  });

  it("logs through @logger with the plugin's logger", () => {
    const { run, logs } = setup(`code => "@logger.warn('careful', 'n' => 1); @logger.debug { 'lazy' }"`);
    run({});
    expect(logs.some((l) => l.includes("WARN") && l.includes("careful") && l.includes("n=1"))).toBe(true);
    expect(logs.some((l) => l.includes("DEBUG") && l.includes("lazy"))).toBe(true);
  });

  it("refuses a syntax error, a raising init, and code with path or neither", () => {
    expect(refused(`code => "event.set('x', "`)).toMatch(/syntax/i);
    expect(refused(`init => "raise 'no start'" code => "1"`)).toContain("no start");
    const path = script("ok.rb", "def filter(event) = [event]\n");
    expect(refused(`code => "1" path => "${path}"`)).toContain('"code"');
    expect(refused(``)).toContain('"path"');
  });

  it("declares Logstash's options with their defaults and types", () => {
    expect(rubyFilter.options.tag_on_exception?.default).toBe("_rubyexception");
    expect(rubyFilter.options.tag_with_exception_message?.default).toBe(false);
    expect(rubyFilter.options.script_params?.default).toEqual({});
    expect(
      diagnosticsOf(`code => "1" tag_with_exception_message => "maybe"`).some((d) => d.severity === "error"),
    ).toBe(true);
  });

  it("refuses to use the event after the call returned", () => {
    const { run } = setup(`init => "@kept = nil" code => "@kept&.get('x') ; @kept = event"`);
    run({ x: 1 });
    expect(run({ x: 2 }).event.get("tags")).toEqual(["_rubyexception"]);
  });
});

describe("ruby filter: script files (path)", () => {
  it("calls register(params) with script_params and filter(event) per event; not 'matched'", () => {
    const path = script(
      "params.rb",
      [
        "def register(params)",
        "  @field = params['field']",
        "  @times = params['times']",
        "end",
        "def filter(event)",
        "  event.set(@field, event.get('message') * @times)",
        "  [event]",
        "end",
      ].join("\n"),
    );
    const { run } = setup(`path => "${path}" script_params => { "field" => "out" "times" => 3 }`);
    const { event, matched } = run({ message: "ab" });
    expect(event.get("out")).toBe("ababab");
    expect(event.cancelled).toBe(false);
    expect(matched).toBe(false);
  });

  it("cancels the event when filter does not return it, and emits the events it returns", () => {
    const path = script(
      "split.rb",
      [
        "def filter(event)",
        "  event.get('items').map { |i| e = event.clone; e.set('item', i); e.remove('items'); e }",
        "end",
      ].join("\n"),
    );
    const { run, emitted } = setup(`path => "${path}"`);
    const { event } = run({ items: ["a", "b"] });
    expect(event.cancelled).toBe(true);
    expect(emitted.map((e) => e.get("item"))).toEqual(["a", "b"]);
    expect(emitted[0]!.get("items")).toBeUndefined();
  });

  it("tags a non-array result and a non-event element as exceptions", () => {
    const notArray = setup(`path => "${script("nil.rb", "def filter(event) = nil\n")}"`);
    const a = notArray.run({});
    expect(a.event.get("tags")).toEqual(["_rubyexception"]);
    expect(a.event.cancelled).toBe(false);
    expect(notArray.logs.some((l) => l.includes("did not return an array"))).toBe(true);
    const notEvent = setup(`path => "${script("str.rb", "def filter(event) = ['x']\n")}"`);
    expect(notEvent.run({}).event.get("tags")).toEqual(["_rubyexception"]);
  });

  it("refuses a script without filter, and one whose register raises", () => {
    expect(refused(`path => "${script("empty.rb", "def register(p); end\n")}"`)).toContain("filter(event)");
    expect(
      refused(
        `path => "${script("reg.rb", "def register(p) = raise('bad params')\ndef filter(e) = [e]\n")}"`,
      ),
    ).toContain("bad params");
  });

  it("runs the script's inline tests and refuses to start when one fails", () => {
    const body = [
      "def register(params) = (@pct = params['percentage'])",
      "def filter(event) = @pct >= 1 ? [] : [event]",
      "test 'drops all' do",
      "  parameters { { 'percentage' => 1 } }",
      "  in_event { { 'message' => 'hello' } }",
      "  expect('drops the event') { |events| events.size == 0 }",
      "end",
    ];
    const passing = setup(
      `path => "${script("pct.rb", body.join("\n"))}" script_params => { "percentage" => 0 }`,
    );
    expect(passing.logs.some((l) => l.includes("Test run complete"))).toBe(true);
    expect(passing.run({ message: "kept" }).event.cancelled).toBe(false);
    const failing = [
      ...body,
      "test 'keeps' do",
      "  parameters { { 'percentage' => 1 } }",
      "  in_event { { 'message' => 'x' } }",
      "  expect('keeps it') { |events| events.size == 1 }",
      "end",
    ];
    expect(refused(`path => "${script("pct2.rb", failing.join("\n"))}"`)).toContain("keeps: keeps it");
  });

  it("keeps each instance's script state apart", () => {
    const path = script(
      "count.rb",
      "def register(p) = (@n = p['start'])\ndef filter(e) = (e.set('n', @n += 1); [e])\n",
    );
    const a = setup(`path => "${path}" script_params => { "start" => 0 }`);
    const b = setup(`path => "${path}" script_params => { "start" => 10 }`);
    expect(a.run({}).event.get("n")).toBe(1);
    expect(b.run({}).event.get("n")).toBe(11);
    expect(a.run({}).event.get("n")).toBe(2);
  });
});

describe("ruby filter in a pipeline", () => {
  it("applies add_tag to inline code, drops cancelled events, and passes new events to later filters", async () => {
    const config = `input { gen { count => 6 } }
      filter {
        ruby {
          code => "event.cancel if event.get('sequence').odd?; new_event_block.call(LogStash::Event.new('made' => event.get('sequence'))) if event.get('sequence') == 0"
          add_tag => ["ruby_ok"]
        }
        ruby { code => "event.set('second', true)" }
      }
      output { capture { id => "out" } }`;
    const h = harness(config, { batchSize: 4, workers: 2 }, [rubyFilter]);
    await h.pipeline.run();
    const out = h.capture.events("out");
    expect(out.map((e) => e.get("sequence") ?? `made${e.get("made")}`).sort()).toEqual([0, 2, 4, "made0"]);
    expect(out.every((e) => e.get("second") === true && e.hasTag("ruby_ok"))).toBe(true);
  });
});

describe("ruby filter: cost", () => {
  it("prints events/s for event.set('x', 1)", () => {
    const { filter } = setup(`code => "event.set('x', 1)"`);
    const count = 20_000;
    const events = Array.from(
      { length: count },
      () => new Event({ message: "127.0.0.1 GET /index.html 200" }),
    );
    const started = performance.now();
    for (const event of events) filter.filter(event, () => {});
    const seconds = (performance.now() - started) / 1000;
    console.log(`ruby filter event.set('x', 1): ${Math.round(count / seconds)} events/s`);
    expect(events.every((e) => e.get("x") === 1)).toBe(true);
  });
});
