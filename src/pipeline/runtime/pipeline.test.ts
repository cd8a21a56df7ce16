import { describe, expect, it, vi } from "vitest";
import { createLogger } from "../../common/logger.js";
import { buildPlan } from "../config/index.js";
import type { Event } from "../event/index.js";
import { type FilterSpec, type InputSpec, type PluginContext, StartupError } from "../plugins/api.js";
import { PluginRegistry } from "../plugins/registry.js";
import { createPipeline, PipelineConfigError, periodicFlushMs } from "./pipeline.js";
import { captureOutput, harness, plainCodec } from "./test-plugins.js";

const sequences = (events: Event[]) => events.map((e) => e.get("sequence"));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("pipeline run", () => {
  it("moves every generated event to the output and counts them", async () => {
    const h = harness(`input { gen { count => 1000 } } output { capture { id => "out" } }`, {
      batchSize: 100,
    });
    await h.pipeline.run();
    expect(sequences(h.capture.events("out"))).toEqual(range(1000));
    const stats = h.pipeline.stats;
    expect([stats.eventsIn, stats.eventsFiltered, stats.eventsOut]).toEqual([1000, 1000, 1000]);
    expect(stats.plugin("gen_1")?.eventsOut).toBe(1000);
    expect(stats.plugin("out")).toMatchObject({ eventsIn: 1000, eventsOut: 1000, failures: 0 });
    expect(h.capture.closed).toEqual(["out"]);
  });

  it("gives each output its share of a batch in one receive call, never more than batch.size events", async () => {
    const h = harness(
      `input { gen { count => 95 } } output { capture { id => "a" } capture { id => "b" } }`,
      { batchSize: 10 },
    );
    await h.pipeline.run();
    const a = h.capture.calls.get("a")!;
    const b = h.capture.calls.get("b")!;
    expect(a.length).toBeGreaterThanOrEqual(10);
    expect(a.every((call) => call.length <= 10)).toBe(true);
    expect(a.map((c) => c.length)).toEqual(b.map((c) => c.length));
    // The same event objects go to both outputs (Logstash does not copy them).
    expect(a[0]![0]).toBe(b[0]![0]);
  });

  it("delivers every event exactly once with several workers", async () => {
    const h = harness(`input { gen { count => 5000 } } filter { act {} } output { capture { id => "o" } }`, {
      workers: 4,
      batchSize: 50,
    });
    await h.pipeline.run();
    const seen = sequences(h.capture.events("o")) as number[];
    expect(seen.length).toBe(5000);
    expect(new Set(seen).size).toBe(5000);
  });

  it("names plugins <name>_<n> in config order unless given an id", async () => {
    const h = harness(`input { gen { count => 1 } } filter { act {} act { id => "act_2" } act {} }
      output { capture {} }`);
    await h.pipeline.run();
    expect(h.pipeline.stats.plugins.map((p) => p.id)).toEqual([
      "gen_1",
      "act_1",
      "act_2",
      "act_3",
      "capture_1",
    ]);
    expect(h.capture.events("capture_1")[0]!.get("seen_by")).toEqual(["act_1", "act_2", "act_3"]);
  });
});

describe("plugin register", () => {
  it("runs register at start in config order, and a failing one keeps the pipeline from starting", async () => {
    const order: string[] = [];
    const registering = (name: string, fails: boolean): FilterSpec => ({
      kind: "filter",
      name,
      doc: "registers",
      options: {},
      create: () => ({
        register: () => {
          order.push(name);
          if (fails) throw new Error(`${name} cannot start`);
        },
        filter: () => true,
      }),
    });
    const ok = harness(
      `input { gen { count => 3 } } filter { reg_a {} } output { capture { id => "o" } }`,
      {},
      [registering("reg_a", false)],
    );
    await ok.pipeline.run();
    expect(order).toEqual(["reg_a"]);
    expect(ok.capture.events("o").length).toBe(3);

    order.length = 0;
    const bad = harness(
      `input { gen { count => 3 } } filter { reg_a {} reg_b {} reg_c {} } output { capture { id => "o" } }`,
      {},
      [registering("reg_a", false), registering("reg_b", true), registering("reg_c", false)],
    );
    await expect(bad.pipeline.run()).rejects.toThrow("reg_b cannot start");
    expect(order).toEqual(["reg_a", "reg_b"]);
    expect(bad.capture.events("o")).toEqual([]);
    expect(bad.capture.closed).toEqual(["o"]);
  });
});

describe("problems Logstash finds at start", () => {
  it("builds the pipeline with a warning, and refuses to start it with the plugin's place and message", async () => {
    const late: FilterSpec = {
      kind: "filter",
      name: "late",
      doc: "fails at register",
      options: {},
      create: () => {
        throw new StartupError("pattern %{NOPE} not defined");
      },
    };
    const h = harness(
      `input { gen { count => 3 } }\nfilter { late {} }\noutput { capture { id => "o" } }`,
      {},
      [late],
    );
    const warning = h.pipeline.diagnostics.find((d) => d.code === "fails-at-start");
    expect(warning).toMatchObject({ severity: "warning", line: 2, column: 10 });
    expect(warning?.message).toContain('filter "late": pattern %{NOPE} not defined');
    await expect(h.pipeline.run()).rejects.toThrow(
      'test.conf:2:10: filter "late": pattern %{NOPE} not defined',
    );
    expect(h.capture.events("o")).toEqual([]);
  });
});

describe("plugin contexts and logs", () => {
  it("give plugins the pipeline id, data dir and ECS mode unless their own option says otherwise", async () => {
    const contexts: PluginContext[] = [];
    const probe: FilterSpec = {
      kind: "filter",
      name: "probe",
      doc: "records its context",
      options: {},
      create: (_options, context) => {
        contexts.push(context);
        return { filter: () => true };
      },
    };
    harness(
      `input { gen {} } filter { probe {} probe { ecs_compatibility => v1 } } output { capture {} }`,
      { id: "p7", dataDir: "/tmp/sluice-data", ecsCompatibility: "disabled" },
      [probe],
    );
    expect(contexts.map((c) => [c.id, c.pipelineId, c.dataDir, c.ecsCompatibility])).toEqual([
      ["probe_1", "p7", "/tmp/sluice-data", "disabled"],
      ["probe_2", "p7", "/tmp/sluice-data", "v1"],
    ]);
  });

  it('logs one "pipeline started" line with the id and the worker count', async () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line) });
    const h = harness(`input { gen { count => 1 } } output { capture {} }`, { logger, workers: 3, id: "x" });
    await h.pipeline.run();
    const started = lines.filter((l) => l.includes("pipeline started"));
    expect(started).toHaveLength(1);
    expect(started[0]).toMatch(/pipeline=x workers=3 batch_size=125 .*startup_ms=\d+/);
  });
});

describe("input decoration", () => {
  it("sets type only when absent, appends add_field values to existing fields, then adds tags", async () => {
    const h = harness(`input {
        gen { count => 1 type => "t1" add_field => { "host" => "h-%{sequence}" "message" => "extra" }
              tags => ["a", "%{message}"] }
        gen { count => 1 fields => { "type" => "given" } type => "t2" }
      } output { capture { id => "o" } }`);
    await h.pipeline.run();
    const [first, second] = h.capture.events("o");
    expect(first!.get("type")).toBe("t1");
    expect(first!.get("host")).toBe("h-0");
    expect(first!.get("message")).toEqual(["hello", "extra"]);
    // tags are added after add_field, so %{message} sees the array.
    expect(first!.get("tags")).toEqual(["a", "hello,extra"]);
    expect(second!.get("type")).toBe("given");
  });
});

describe("filters", () => {
  it("applies add_field, remove_field, add_tag, remove_tag in that order, only when the filter matched", async () => {
    const h = harness(`input { gen { count => 1 fields => { "tags" => ["old", "x"] "drop_me" => 1 } } }
      filter {
        act { match => false add_tag => ["never"] }
        act {
          add_field => { "f_%{sequence}" => "v-%{message}" "message" => "more" }
          remove_field => ["drop_%{[f_0]}", "drop_me"]
          add_tag => ["new", "%{[f_0]}", "x"]
          remove_tag => ["old", "v-hello"]
        }
      }
      output { capture { id => "o" } }`);
    await h.pipeline.run();
    const event = h.capture.events("o")[0]!;
    expect(event.get("f_0")).toBe("v-hello");
    expect(event.get("message")).toEqual(["hello", "more"]);
    expect(event.includes("drop_me")).toBe(false);
    // Logstash keeps a duplicate tag; remove_tag takes every copy.
    expect(event.get("tags")).toEqual(["x", "new", "x"]);
  });

  it("sends emitted events through the following filters only, decorated as matched", async () => {
    const h = harness(`input { gen { count => 2 } }
      filter { act { id => "before" } act { id => "splitter" emit => 2 add_tag => ["split"] } act { id => "after" } }
      output { capture { id => "o" } }`);
    await h.pipeline.run();
    const out = h.capture.events("o");
    expect(out.map((e) => [e.get("sequence"), e.get("copy") ?? null])).toEqual([
      [0, null],
      [0, 0],
      [0, 1],
      [1, null],
      [1, 0],
      [1, 1],
    ]);
    // Copies were cloned after "splitter" saw the parent, so they carry its mark; "after" sees each once.
    expect(out[1]!.get("seen_by")).toEqual(["before", "splitter", "after"]);
    expect(out.every((e) => (e.get("tags") as string[]).includes("split"))).toBe(true);
    expect(h.pipeline.stats.plugin("splitter")).toMatchObject({ eventsIn: 2, eventsOut: 6 });
    expect(h.pipeline.stats.plugin("after")).toMatchObject({ eventsIn: 6, eventsOut: 6 });
  });

  it("removes cancelled events from the batch", async () => {
    const h = harness(`input { gen { count => 3 message => "bye" } gen { count => 2 message => "hi" } }
      filter { act { id => "dropper" cancel_when => "bye" } act { id => "next" } }
      output { capture { id => "o" } }`);
    await h.pipeline.run();
    expect(h.capture.events("o").map((e) => e.get("message"))).toEqual(["hi", "hi"]);
    expect(h.pipeline.stats.plugin("dropper")).toMatchObject({ eventsIn: 5, eventsOut: 2 });
    expect(h.pipeline.stats.plugin("next")?.eventsIn).toBe(2);
    expect(h.pipeline.stats.eventsFiltered).toBe(2);
  });

  it("lets an event pass on unchanged when a filter throws, and counts the failure", async () => {
    const h = harness(`input { gen { count => 1 message => "boom" } gen { count => 1 } }
      filter { act { id => "thrower" throw_when => "boom" add_tag => ["ok"] } }
      output { capture { id => "o" } }`);
    await h.pipeline.run();
    const [boom, fine] = h.capture.events("o");
    expect(boom!.get("message")).toBe("boom");
    expect(boom!.get("tags")).toBeUndefined();
    expect(fine!.get("tags")).toEqual(["ok"]);
    const stats = h.pipeline.stats.plugin("thrower")!;
    expect(stats.failureReasons.get("filter_exception")).toBe(1);
    expect(h.pipeline.stats.failures).toBe(1);
  });

  it("awaits asynchronous filters", async () => {
    const h = harness(`input { gen { count => 5 } } filter { act { delay_ms => 5 add_tag => ["waited"] } }
      output { capture { id => "o" } }`);
    await h.pipeline.run();
    expect(h.capture.events("o").map((e) => e.get("tags"))).toEqual(Array(5).fill(["waited"]));
  });

  it("flushes buffering filters at shutdown; flushed events go through the following filters", async () => {
    const h = harness(`input { gen { count => 3 } }
      filter { act { id => "buf" buffer => true add_tag => ["flushed"] } act { id => "after" } }
      output { capture { id => "o" } }`);
    await h.pipeline.run();
    expect(h.act.flushes).toEqual([{ id: "buf", final: true }]);
    const out = h.capture.events("o");
    expect(sequences(out)).toEqual([0, 1, 2]);
    expect(out[0]!.get("seen_by")).toEqual(["buf", "after"]);
    expect(out[0]!.get("tags")).toEqual(["flushed"]);
    expect(h.act.closed).toEqual(["buf", "after"]);
  });

  it("flushes periodically every 5 s while running", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const h = harness(`input { endless {} }
        filter { if [sequence] == 0 { act { id => "buf" buffer => true } } }
        output { capture { id => "o" } }`);
      const done = h.pipeline.run();
      await vi.waitFor(() => expect(h.endless.observed.pushed).toBeGreaterThan(0));
      vi.advanceTimersByTime(periodicFlushMs);
      await vi.waitFor(() => expect(h.act.flushes).toContainEqual({ id: "buf", final: false }));
      await vi.waitFor(() => expect(sequences(h.capture.events("o"))).toContain(0));
      await h.pipeline.stop();
      await done;
      expect(h.act.flushes.at(-1)).toEqual({ id: "buf", final: true });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("conditionals", () => {
  const config = `input { gen { count => 30 } }
    filter {
      if [sequence] < 10 { act { id => "low" } }
      else if [sequence] < 20 { act { id => "mid" } }
      else { act { id => "high" } }
    }
    output {
      if "low" in [seen_by] { capture { id => "low_out" } }
      else { capture { id => "rest_out" } }
      capture { id => "all" }
    }`;

  it("partition the batch between branches in filters and route events to outputs", async () => {
    const h = harness(config, { batchSize: 30, ordered: "true" });
    await h.pipeline.run();
    expect(sequences(h.capture.events("low_out"))).toEqual(range(10));
    expect(sequences(h.capture.events("rest_out"))).toEqual(range(20).map((i) => i + 10));
    const all = h.capture.events("all");
    expect(all.map((e) => e.get("seen_by"))).toEqual([
      ...Array(10).fill(["low"]),
      ...Array(10).fill(["mid"]),
      ...Array(10).fill(["high"]),
    ]);
    expect(h.pipeline.stats.plugin("mid")?.eventsIn).toBe(10);
  });

  it("keep input order through branches when ordered, and group by branch when not", async () => {
    const alternating = `input { gen { count => 6 } }
      filter { if [sequence] in [1, 3, 5] { act { id => "odd" } } else { act { id => "even" } } }
      output { capture { id => "o" } }`;
    const ordered = harness(alternating, { batchSize: 6, ordered: "auto" });
    await ordered.pipeline.run();
    expect(sequences(ordered.capture.events("o"))).toEqual([0, 1, 2, 3, 4, 5]);
    const unordered = harness(alternating, { batchSize: 6, ordered: "false" });
    await unordered.pipeline.run();
    expect(sequences(unordered.capture.events("o"))).toEqual([1, 3, 5, 0, 2, 4]);
  });

  it("drop an event whose condition cannot be evaluated, and count it", async () => {
    const h =
      harness(`input { gen { count => 1 fields => { "n" => 1 } } gen { count => 1 fields => { "n" => "text" } } }
      filter { if [n] < 5 { act {} } }
      output { capture { id => "o" } }`);
    await h.pipeline.run();
    expect(h.capture.events("o").map((e) => e.get("n"))).toEqual([1]);
    expect(h.pipeline.stats.conditionFailures).toBe(1);
    expect(h.pipeline.stats.failures).toBe(1);
  });
});

describe("queue and shutdown", () => {
  it("applies back-pressure: a full queue makes push return false until ready()", async () => {
    const h = harness(`input { gen { count => 200 } } output { capture { id => "o" delay_ms => 2 } }`, {
      queueEventsMax: 8,
      batchSize: 4,
    });
    await h.pipeline.run();
    expect(h.gen.observed.fullSignals).toBeGreaterThan(5);
    expect(sequences(h.capture.events("o"))).toEqual(range(200));
  });

  it("never lets the queue run far ahead of the outputs", async () => {
    let maxAhead = 0;
    const h = harness(`input { endless {} } output { capture { id => "o" delay_ms => 1 } }`, {
      queueEventsMax: 20,
      batchSize: 5,
    });
    const done = h.pipeline.run();
    const probe = setInterval(() => {
      const ahead = h.endless.observed.pushed - h.capture.events("o").length;
      maxAhead = Math.max(maxAhead, ahead);
    }, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    clearInterval(probe);
    await h.pipeline.stop();
    await done;
    // Queue bound + one batch in the output + one burst of the input.
    expect(maxAhead).toBeLessThanOrEqual(20 + 5 + 10);
    expect(h.capture.events("o").length).toBe(h.endless.observed.pushed);
  });

  it("stop() stops inputs, drains every accepted event, flushes and closes; it is idempotent", async () => {
    const h = harness(`input { endless {} } filter { act { id => "buf" buffer => true } }
      output { capture { id => "o" } }`);
    const done = h.pipeline.run();
    await vi.waitFor(() => expect(h.endless.observed.pushed).toBeGreaterThan(100));
    await Promise.all([h.pipeline.stop(), h.pipeline.stop()]);
    await done;
    expect(h.endless.observed.stopCalls).toBe(1);
    expect(sequences(h.capture.events("o"))).toEqual(range(h.endless.observed.pushed));
    expect(h.act.flushes.at(-1)).toEqual({ id: "buf", final: true });
    expect(h.act.closed).toEqual(["buf"]);
    expect(h.capture.closed).toEqual(["o"]);
  });

  it("stop() before run() closes the plugins without running anything", async () => {
    const h = harness(`input { gen {} } filter { act {} } output { capture { id => "o" } }`);
    await h.pipeline.stop();
    await h.pipeline.run();
    expect(h.gen.observed.pushed).toBe(0);
    expect(h.act.closed).toEqual(["act_1"]);
  });

  it("resolves accept() once the events are queued", async () => {
    let accepted = false;
    const batchInput: InputSpec = {
      kind: "input",
      name: "batch",
      doc: "accepts a list",
      defaultCodec: "plain",
      options: {},
      create: () => ({
        async run(sink) {
          const { Event } = await import("../event/index.js");
          await sink.accept(range(50).map((i) => new Event({ sequence: i })));
          accepted = true;
        },
        stop() {},
      }),
    };
    const h = harness(`input { batch {} } output { capture { id => "o" } }`, { queueEventsMax: 10 }, [
      batchInput,
    ]);
    await h.pipeline.run();
    expect(accepted).toBe(true);
    expect(sequences(h.capture.events("o"))).toEqual(range(50));
  });

  it("restarts an input that fails, and survives an output that fails", async () => {
    let runs = 0;
    const flaky: InputSpec = {
      kind: "input",
      name: "flaky",
      doc: "fails once",
      defaultCodec: "plain",
      options: {},
      create: () => ({
        async run(sink) {
          runs++;
          if (runs === 1) throw new Error("first run fails");
          const { Event } = await import("../event/index.js");
          sink.push(new Event({ sequence: 7 }));
        },
        stop() {},
      }),
    };
    const h = harness(
      `input { flaky {} } output { capture { id => "broken" fail => true } capture { id => "o" } }`,
      {},
      [flaky],
    );
    await h.pipeline.run();
    expect(runs).toBe(2);
    expect(h.pipeline.stats.plugin("flaky_1")?.failureReasons.get("input_exception")).toBe(1);
    expect(h.pipeline.stats.plugin("broken")?.failureReasons.get("output_exception")).toBe(1);
    expect(sequences(h.capture.events("o"))).toEqual([7]);
  });
});

describe("createPipeline", () => {
  const compile = (text: string) => buildPlan([{ file: "p.conf", text }]).plan;

  it("lists every problem in a PipelineConfigError", () => {
    const capture = captureOutput();
    const registry = new PluginRegistry([plainCodec, capture.spec]);
    const plan = compile(
      `input { nope {} } output { capture { id => "x" } capture { id => "x" bogus => 1 } }`,
    );
    let error: unknown;
    try {
      createPipeline(plan, registry, { workers: 1 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PipelineConfigError);
    const codes = (error as PipelineConfigError).diagnostics.map((d) => d.code).sort();
    expect(codes).toEqual(["duplicate-id", "unknown-option", "unknown-plugin"]);
  });

  it("reports a plugin whose create() throws", () => {
    expect(() =>
      harness(`input { gen {} } filter { act { fail_create => true } } output { capture {} }`),
    ).toThrow(/filter "act": cannot start this filter/);
  });

  it("refuses pipeline.ordered true with more than one worker, and bad numbers", () => {
    expect(() => harness(`input { gen {} } output { capture {} }`, { workers: 2, ordered: "true" })).toThrow(
      /ordering needs exactly one worker/,
    );
    expect(() => harness(`input { gen {} } output { capture {} }`, { batchSize: 0 })).toThrow(
      /pipeline.batch.size must be a positive integer/,
    );
  });
});
