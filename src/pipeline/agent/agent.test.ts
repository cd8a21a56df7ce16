import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { Event } from "../event/index.js";
import { quietContext } from "../plugins/index.js";
import { pipelineInput } from "../plugins/inputs/pipeline.js";
import { ResolvedOptions } from "../plugins/options.js";
import { PipelineOutput, pipelineOutput } from "../plugins/outputs/pipeline.js";
import { PluginRegistry } from "../plugins/registry.js";
import {
  actingFilter,
  captureOutput,
  endlessInput,
  generatorInput,
  plainCodec,
} from "../runtime/test-plugins.js";
import { Agent } from "./agent.js";
import { PipelineBus } from "./bus.js";
import type { PipelineDefinition } from "./pipelines-yml.js";

function setup() {
  const capture = captureOutput();
  const endless = endlessInput();
  const registry = new PluginRegistry([
    plainCodec,
    generatorInput().spec,
    endless.spec,
    capture.spec,
    actingFilter().spec,
    pipelineInput,
    pipelineOutput,
  ]);
  const agent = new Agent({ registry, logger: silentLogger, dataDir: "./data", defaults: { workers: 1 } });
  return { agent, capture, endless };
}

const def = (id: string, configString: string): PipelineDefinition => ({ id, configString });

async function runUntil(agent: Agent, done: () => void): Promise<void> {
  const running = agent.run();
  await vi.waitFor(done, { timeout: 5000 });
  await agent.stop();
  await running;
}

describe("Agent: Logstash's pipeline-to-pipeline patterns", () => {
  it("distributor: one pipeline routes events by type to others", async () => {
    const { agent, capture } = setup();
    const diagnostics = await agent.load([
      def(
        "intake",
        `input { gen { count => 4 fields => { kind => "a" } } gen { count => 3 fields => { kind => "b" } } }
         output { if [kind] == "a" { pipeline { send_to => ["dist-a"] } } else { pipeline { send_to => ["dist-b"] } } }`,
      ),
      def("a", `input { pipeline { address => "dist-a" } } output { capture { id => "a" } }`),
      def("b", `input { pipeline { address => "dist-b" } } output { capture { id => "b" } }`),
    ]);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    await runUntil(agent, () => {
      expect(capture.events("a")).toHaveLength(4);
      expect(capture.events("b")).toHaveLength(3);
    });
    expect(capture.events("a").every((e) => e.get("kind") === "a")).toBe(true);
    expect(capture.events("b").every((e) => e.get("kind") === "b")).toBe(true);
  });

  it("output isolator and forked path: every address gets its own copy, changed independently", async () => {
    const { agent, capture } = setup();
    await agent.load([
      def("up", `input { gen { count => 5 } } output { pipeline { send_to => ["iso-x", "iso-y"] } }`),
      def(
        "x",
        `input { pipeline { address => "iso-x" } } filter { act { id => "fx" } } output { capture { id => "x" } }`,
      ),
      def("y", `input { pipeline { address => "iso-y" } } output { capture { id => "y" delay_ms => 20 } }`),
    ]);
    await runUntil(agent, () => {
      expect(capture.events("x")).toHaveLength(5);
      expect(capture.events("y")).toHaveLength(5);
    });
    expect(capture.events("x")[0]!.get("seen_by")).toEqual(["fx"]);
    expect(capture.events("y").some((e) => e.get("seen_by") !== undefined)).toBe(false);
    expect(capture.events("y").map((e) => e.get("sequence"))).toEqual([0, 1, 2, 3, 4]);
  });

  it("collector: several pipelines feed one", async () => {
    const { agent, capture } = setup();
    await agent.load([
      def("one", `input { gen { count => 3 message => "one" } } output { pipeline { send_to => "coll" } }`),
      def("two", `input { gen { count => 4 message => "two" } } output { pipeline { send_to => "coll" } }`),
      def(
        "all",
        `input { pipeline { address => "coll" type => "collected" } } output { capture { id => "all" } }`,
      ),
    ]);
    await runUntil(agent, () => expect(capture.events("all")).toHaveLength(7));
    const messages = capture.events("all").map((e) => e.get("message"));
    expect(messages.filter((m) => m === "one")).toHaveLength(3);
    expect(capture.events("all").every((e) => e.get("type") === "collected")).toBe(true);
  });

  it("stops upstream first, so nothing in flight between pipelines is lost", async () => {
    const { agent, capture, endless } = setup();
    await agent.load([
      def("src", `input { endless {} } output { pipeline { send_to => "drain" } }`),
      def(
        "dst",
        `input { pipeline { address => "drain" } } output { capture { id => "dst" delay_ms => 1 } }`,
      ),
    ]);
    const running = agent.run();
    await vi.waitFor(() => expect(capture.events("dst").length).toBeGreaterThan(100));
    await agent.stop();
    await running;
    expect(capture.events("dst")).toHaveLength(endless.observed.pushed);
  });
});

describe("Agent: loading", () => {
  it("reports duplicate ids, shared addresses and config errors, and then keeps nothing", async () => {
    const { agent } = setup();
    const diagnostics = await agent.load([
      def("p", `input { pipeline { address => "same" } } output { capture {} }`),
      def("p", `input { gen {} } output { capture {} }`),
      def("q", `input { pipeline { address => "same" } } output { capture {} }`),
      def("r", `input { gen { cout => 1 } } output { capture {} }`),
    ]);
    const messages = diagnostics.map((d) => d.message).join("\n");
    expect(messages).toContain('two pipelines have the pipeline.id "p"');
    expect(messages).toContain('pipelines "p" and "q" both have a pipeline input on address "same"');
    expect(messages).toContain("unknown setting 'cout'");
    expect(agent.pipelines().size).toBe(0);
  });

  it("reports settings the runtime refuses, and exposes each pipeline's effective settings", async () => {
    const { agent } = setup();
    const bad = await agent.load([
      { ...def("o", "input { gen {} } output { capture {} }"), settings: { workers: 2, ordered: "true" } },
    ]);
    expect(bad.map((d) => d.message).join()).toContain("ordering needs exactly one worker");
    const ok = await agent.load([
      {
        ...def("s", "input { gen {} } output { capture {} }"),
        settings: { batchSize: 7, ecsCompatibility: "v1" },
      },
    ]);
    expect(ok.filter((d) => d.severity === "error")).toEqual([]);
    expect(agent.settingsOf("s")).toMatchObject({
      id: "s",
      workers: 1,
      batchSize: 7,
      batchDelayMs: 50,
      ordered: "auto",
      ecsCompatibility: "v1",
      queueType: "memory",
      configString: "input { gen {} } output { capture {} }",
    });
    expect([...agent.pipelines().keys()]).toEqual(["s"]);
    expect(agent.settingsOf("nope")).toBeUndefined();
    await agent.stop();
  });
});

describe("Agent: slots", () => {
  it("gives each pipeline a slot with its run state, hash and reload counters; run() ends when all have", async () => {
    const { agent, capture } = setup();
    await agent.load([
      def("g", `input { gen { count => 2 } } output { capture { id => "g" } }`),
      def("h", `input { gen { count => 3 } } output { capture { id => "h" } }`),
    ]);
    expect(agent.stateOf("g")).toBe("loading");
    expect(agent.hashOf("g")).toMatch(/^[0-9a-f]{64}$/);
    expect(agent.hashOf("g")).not.toBe(agent.hashOf("h"));
    expect(agent.slots().map((s) => s.id)).toEqual(["g", "h"]);
    await agent.run();
    expect(capture.events("h")).toHaveLength(3);
    expect(agent.stateOf("g")).toBe("finished");
    expect(agent.stateOf("nope")).toBe("unknown");
    expect(agent.reloadsOf("g")).toMatchObject({ successes: 0, failures: 0 });
    expect(agent.pipelines().get("g")).toBe(agent.slotOf("g")!.pipeline);
    let stopped = false;
    const whenStopped = agent.stopped().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toBe(false);
    await agent.stop();
    await whenStopped;
    expect(agent.isStopping).toBe(true);
  });

  it("converge() refuses duplicate ids and changes nothing, and does nothing once stopping", async () => {
    const { agent } = setup();
    await agent.load([def("k", `input { gen { count => 0 } } output { capture {} }`)]);
    const outcome = await agent.converge([def("m", "input { gen {} } output { capture {} }"), def("m", "x")]);
    expect(outcome.diagnostics.map((d) => d.message)).toEqual(['two pipelines have the pipeline.id "m"']);
    expect([...agent.pipelines().keys()]).toEqual(["k"]);
    await agent.stop();
    expect(await agent.converge([])).toMatchObject({ removed: [], added: [] });
    expect([...agent.pipelines().keys()]).toEqual(["k"]);
  });
});

describe("pipeline output", () => {
  const context = () => {
    const failures: string[] = [];
    return {
      failures,
      ctx: {
        ...quietContext(pipelineOutput, ResolvedOptions.of({})),
        countFailure: (r: string) => failures.push(r),
      },
    };
  };

  it("drops with a counted failure when nobody listens and ensure_delivery is false", async () => {
    const bus = new PipelineBus();
    const { ctx, failures } = context();
    const output = new PipelineOutput(["nowhere"], false, ctx, bus);
    await output.receive([new Event({ message: "x" })]);
    expect(failures).toEqual(["pipeline_address_absent"]);
  });

  it("waits for a listener with ensure_delivery, and resolves only once the receiver accepted", async () => {
    const bus = new PipelineBus();
    const { ctx } = context();
    const output = new PipelineOutput(["later"], true, ctx, bus, 10);
    let release: () => void = () => {};
    const received: Event[] = [];
    let resolved = false;
    const sending = output.receive([new Event({ message: "x" })]).then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(resolved).toBe(false);
    bus.listen("later", {
      pipelineId: "p",
      pluginId: "i",
      accept: (events) => {
        received.push(...events);
        return new Promise<void>((r) => (release = r));
      },
    });
    await vi.waitFor(() => expect(received).toHaveLength(1));
    expect(resolved).toBe(false);
    release();
    await sending;
    expect(resolved).toBe(true);
  });

  it("refuses an empty send_to and a second listener on one address", () => {
    expect(() =>
      pipelineOutput.create(
        ResolvedOptions.of({ send_to: [], ensure_delivery: true }),
        quietContext(pipelineOutput, ResolvedOptions.of({})),
      ),
    ).toThrow(/send_to/);
    const bus = new PipelineBus();
    const receiver = { pipelineId: "a", pluginId: "i", accept: async () => {} };
    bus.listen("addr", receiver);
    expect(() => bus.listen("addr", { ...receiver, pipelineId: "b" })).toThrow(
      /already used by pipeline "a"/,
    );
    bus.unlisten("addr", receiver);
    expect(bus.addresses()).toEqual([]);
  });
});
