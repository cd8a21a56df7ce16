import { describe, expect, it } from "vitest";
import { createLogger } from "../../../common/logger.js";
import { buildPlan } from "../../config/index.js";
import { harness } from "../../runtime/test-plugins.js";
import { plainCodec } from "../codecs/plain.js";
import { PluginRegistry } from "../registry.js";
import { twitterInput, twitterUnrunnable } from "./twitter.js";

const registry = new PluginRegistry([twitterInput, plainCodec]);

function errors(body: string): string[] {
  const { plan } = buildPlan([{ file: "t.conf", text: `input { twitter { ${body} } }` }]);
  const plugin = plan.sections[0]!.body[0]!;
  if (plugin.kind !== "plugin") throw new Error("expected a plugin");
  return registry
    .resolve(plugin)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => d.message);
}

const credentials =
  'consumer_key => "ck" consumer_secret => "cs" oauth_token => "ot" oauth_token_secret => "os"';

describe("twitter input declaration", () => {
  it("validates a typical config with every option", () => {
    expect(
      errors(`${credentials} keywords => ["elastic", "logstash"] full_tweet => true follows => ["123"]
        locations => "-122.75,36.8,-121.75,37.8" languages => ["en"] use_samples => false ignore_retweets => true
        use_proxy => true proxy_address => "proxy" proxy_port => 8080 rate_limit_reset_in => 60
        target => "[tweet]" ecs_compatibility => "v1"`),
    ).toEqual([]);
  });

  it("requires the four credentials and checks types", () => {
    expect(errors("")).toHaveLength(4);
    expect(errors(`${credentials} proxy_port => "eighty"`)).toHaveLength(1);
    expect(errors(`${credentials} target => "[bad"`)).toHaveLength(1);
  });

  it("takes Logstash's defaults", () => {
    const { plan } = buildPlan([{ file: "t.conf", text: `input { twitter { ${credentials} } }` }]);
    const plugin = plan.sections[0]!.body[0]!;
    if (plugin.kind !== "plugin") throw new Error("expected a plugin");
    const o = registry.resolve(plugin).resolved!.options;
    expect(o.boolean("full_tweet")).toBe(false);
    expect(o.boolean("use_samples")).toBe(false);
    expect(o.boolean("ignore_retweets")).toBe(false);
    expect(o.boolean("use_proxy")).toBe(false);
    expect(o.string("proxy_address")).toBe("127.0.0.1");
    expect(o.number("proxy_port")).toBe(3128);
    expect(o.number("rate_limit_reset_in")).toBe(300);
  });

  it("refuses to run: one clear error, the pipeline ends", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", write: (line) => lines.push(line) });
    const { pipeline } = harness(`input { twitter { ${credentials} } } output { capture {} }`, { logger }, [
      twitterInput,
    ]);
    await pipeline.run();
    const failures = lines.filter((l) => l.includes("input cannot run here; it is not restarted"));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(twitterUnrunnable);
  }, 10_000);
});
