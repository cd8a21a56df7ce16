import { describe, expect, it } from "vitest";
import { defaultLogConfig, logConfigFromTopicConfig, validateTopicConfig } from "./config.js";
import { LogError } from "./errors.js";

describe("log config", () => {
  it("applies Kafka-named overrides on top of the base", () => {
    const config = logConfigFromTopicConfig({
      "retention.ms": "-1",
      "segment.bytes": "1048576",
      "cleanup.policy": "delete",
    });
    expect(config.retentionMs).toBe(-1);
    expect(config.segmentBytes).toBe(1048576);
    expect(config.segmentMs).toBe(defaultLogConfig.segmentMs);
  });

  it("rejects unknown names and bad values", () => {
    expect(() => validateTopicConfig({ "retention.ms": "soon" })).toThrow(LogError);
    expect(() => validateTopicConfig({ "segment.bytes": "3" })).toThrow(/segment.bytes/);
    expect(() => validateTopicConfig({ "no.such.config": "1" })).toThrow(/unknown/);
    expect(() => validateTopicConfig({ "cleanup.policy": "shred" })).toThrow(/cleanup.policy/);
    expect(() =>
      validateTopicConfig({ "retention.bytes": "1000", "message.timestamp.type": "LogAppendTime" }),
    ).not.toThrow();
  });
});
