import { describe, expect, it } from "vitest";
import { brokerSettingsFromFlags } from "./commands/broker.js";
import { formatJson, formatValue, parseStartOffset } from "./commands/consume.js";
import { lineToRecord } from "./commands/produce.js";
import { buildProgram } from "./main.js";
import { collectKeyValue } from "./options.js";

describe("consume --offset", () => {
  it("accepts kcat's forms plus timestamps and ISO-8601 datetimes", () => {
    expect(parseStartOffset("beginning")).toEqual({ kind: "beginning" });
    expect(parseStartOffset("end")).toEqual({ kind: "end" });
    expect(parseStartOffset("42")).toEqual({ kind: "absolute", offset: 42n });
    expect(parseStartOffset("-3")).toEqual({ kind: "fromEnd", count: 3n });
    expect(parseStartOffset("@1700000000000")).toEqual({ kind: "timestamp", ms: 1_700_000_000_000n });
    expect(parseStartOffset("s@5")).toEqual({ kind: "timestamp", ms: 5n });
    expect(parseStartOffset("2024-01-02T03:04:05Z")).toEqual({
      kind: "timestamp",
      ms: BigInt(Date.UTC(2024, 0, 2, 3, 4, 5)),
    });
  });

  it("rejects anything else", () => {
    expect(() => parseStartOffset("yesterday")).toThrow(/expected beginning/);
    expect(() => parseStartOffset("2024-13-45")).toThrow();
  });
});

describe("produce lines", () => {
  it("splits key and value at the first delimiter and keeps lines without it as null-key values", () => {
    expect(lineToRecord("k:v:w", { keyDelimiter: ":" })).toMatchObject({ key: "k", value: "v:w" });
    expect(lineToRecord("plain", { keyDelimiter: ":" })).toMatchObject({ key: null, value: "plain" });
    expect(lineToRecord("v", { key: "fixed", header: [["a", "1"]], partition: 2 })).toEqual({
      key: "fixed",
      value: "v",
      headers: [{ key: "a", value: "1" }],
      partition: 2,
    });
    expect(lineToRecord("", {})).toBeNull();
  });
});

describe("consume output", () => {
  const record = {
    topic: "t",
    partition: 1,
    offset: 7n,
    timestamp: 1000n,
    key: Buffer.from("k"),
    value: Buffer.from("v"),
    headers: [{ key: "h", value: Buffer.from("x") }],
  };

  it("prints one JSON object with the documented fields", () => {
    expect(JSON.parse(formatJson(record))).toEqual({
      topic: "t",
      partition: 1,
      offset: 7,
      timestamp: 1000,
      key: "k",
      value: "v",
      headers: { h: "x" },
    });
  });

  it("prints the value, or key<delim>value with -K", () => {
    expect(formatValue(record, undefined)).toBe("v");
    expect(formatValue(record, "\t")).toBe("k\tv");
  });
});

describe("broker flags", () => {
  it("maps Kafka setting names onto the broker config", () => {
    const settings = brokerSettingsFromFlags({
      dataDir: "d",
      port: 0,
      advertisedHost: "localhost",
      logLevel: "info",
      config: {
        "num.partitions": "3",
        "auto.create.topics.enable": "false",
        "log.retention.ms": "1000",
        "log.segment.bytes": "4096",
      },
    });
    expect(settings).toMatchObject({
      dataDir: "d",
      port: 0,
      listenHosts: ["127.0.0.1", "::1"],
      numPartitions: 3,
      autoCreateTopicsEnable: false,
      logDefaults: { "retention.ms": "1000", "segment.bytes": "4096" },
    });
  });

  it("rejects unknown settings and bad values", () => {
    const base = { dataDir: "d", port: 0, advertisedHost: "h", logLevel: "info" };
    expect(() => brokerSettingsFromFlags({ ...base, config: { "no.such": "1" } })).toThrow(
      /unknown broker setting/,
    );
    expect(() => brokerSettingsFromFlags({ ...base, config: { "num.partitions": "many" } })).toThrow(
      /integer/,
    );
    expect(() => collectKeyValue("novalue")).toThrow(/key=value/);
  });
});

describe("program", () => {
  it("registers one command per module", () => {
    expect(buildProgram().commands.map((c) => c.name())).toEqual([
      "broker",
      "up",
      "topic",
      "produce",
      "consume",
      "validate",
      "run",
      "store",
      "sql",
      "export",
      "group",
      "test",
    ]);
  });
});
