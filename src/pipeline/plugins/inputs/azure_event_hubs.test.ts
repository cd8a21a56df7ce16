import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { buildPlan } from "../../config/index.js";
import { harness } from "../../runtime/test-plugins.js";
import { plainCodec } from "../codecs/plain.js";
import { PluginRegistry } from "../registry.js";
import { azureEventHubsInput, azureEventHubsUnrunnable, entityPath } from "./azure_event_hubs.js";

const registry = new PluginRegistry([azureEventHubsInput, plainCodec]);

/** Diagnostics of `input { azure_event_hubs { body } }`, plus create()'s refusal as Logstash's initialize would. */
function problems(body: string): string[] {
  const { plan } = buildPlan([{ file: "t.conf", text: `input { azure_event_hubs { ${body} } }` }]);
  const plugin = plan.sections[0]!.body[0]!;
  if (plugin.kind !== "plugin") throw new Error("expected a plugin");
  const { resolved, diagnostics } = registry.resolve(plugin);
  const out = diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
  if (out.length > 0) return out;
  try {
    azureEventHubsInput.create(resolved!.options, { ...quiet });
  } catch (err) {
    out.push((err as Error).message);
  }
  return out;
}

const quiet = {
  id: "t",
  pipelineId: "t",
  logger: createLogger({ level: "fatal", write: () => {} }),
  ecsCompatibility: "v8" as const,
  dataDir: "",
  countFailure: () => {},
};

const connection = (hub: string) =>
  `Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=logstash;SharedAccessKey=secret=;EntityPath=${hub}`;

describe("azure_event_hubs input declaration", () => {
  it("validates a typical basic-mode config with every shared option", () => {
    expect(
      problems(`event_hub_connections => ["${connection("hub1")}", "${connection("hub2")}"]
        threads => 8 decorate_events => true consumer_group => "logstash"
        storage_connection => "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=k;EndpointSuffix=core.windows.net"
        storage_container => "offsets" initial_position => "look_back" initial_position_look_back => 3600
        max_batch_size => 50 prefetch_count => 100 receive_timeout => 30 checkpoint_interval => 10
        config_mode => "basic" codec => plain`),
    ).toEqual([]);
  });

  it("validates a typical advanced-mode config", () => {
    expect(
      problems(`config_mode => "advanced"
        event_hubs => [
          { "insights-operational-logs" => { event_hub_connection => "${connection("x")}" storage_container => "a" } },
          { "insights-metrics" => { event_hub_connection => "Endpoint=sb://e/;SharedAccessKey=k" initial_position => "end" } }
        ]
        storage_connection => "DefaultEndpointsProtocol=https;AccountName=acct"
        consumer_group => "logstash"`),
    ).toEqual([]);
  });

  it("needs the connections of its mode and an EntityPath in basic mode", () => {
    expect(problems("")).toEqual([expect.stringContaining("event_hub_connections")]);
    expect(problems('config_mode => "advanced"')).toEqual([expect.stringContaining("event_hubs")]);
    expect(problems('event_hub_connections => ["Endpoint=sb://e/;SharedAccessKey=k"]')).toEqual([
      expect.stringContaining("EntityPath"),
    ]);
    expect(problems('config_mode => "advanced" event_hubs => ["hub"]')).toEqual([
      "event_hubs must be a Hash",
    ]);
  });

  it("refuses hubs that would share a storage container and consumer group", () => {
    expect(
      problems(`config_mode => "advanced" storage_connection => "s" storage_container => "same"
        event_hubs => [ { "a" => { event_hub_connection => "c1" } }, { "b" => { event_hub_connection => "c2" } } ]`),
    ).toEqual([expect.stringContaining("overwriting offsets")]);
  });

  it("refuses unknown options and bad enum words like Logstash", () => {
    expect(
      problems(`event_hub_connections => ["${connection("h")}"] initial_position => "middle"`),
    ).toHaveLength(1);
    expect(problems(`event_hub_connections => ["${connection("h")}"] hub => "x"`)).toEqual([
      expect.stringContaining("unknown setting 'hub'"),
    ]);
  });

  it("reads EntityPath from a connection string", () => {
    expect(entityPath(connection("my-hub"))).toBe("my-hub");
    expect(entityPath("Endpoint=sb://e/;entitypath=lower")).toBe("lower");
    expect(entityPath("Endpoint=sb://e/;EntityPath=")).toBeUndefined();
  });

  it("refuses to run: one clear error, no restart, and the pipeline ends without crashing", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", write: (line) => lines.push(line) });
    const { pipeline, capture } = harness(
      `input { azure_event_hubs { event_hub_connections => ["${connection("h")}"] } } output { capture {} }`,
      { logger },
      [azureEventHubsInput],
    );
    await pipeline.run();
    expect(capture.events("capture")).toEqual([]);
    const failures = lines.filter((l) => l.includes("input cannot run here; it is not restarted"));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(azureEventHubsUnrunnable);
    expect(lines.some((l) => l.includes("pipeline stopped"))).toBe(true);
  }, 10_000);
});
