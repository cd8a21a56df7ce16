import { describe, expect, it } from "vitest";
import { parseBootstrap } from "./cluster.js";
import { KafkaResponseError } from "./errors.js";
import { partitionForKey } from "./murmur2.js";
import { assignPartitions } from "./produce.js";

describe("parseBootstrap", () => {
  it("reads host:port lists, bracketed IPv6 and bare hosts", () => {
    expect(parseBootstrap("a:1, b:2")).toEqual([
      { host: "a", port: 1 },
      { host: "b", port: 2 },
    ]);
    expect(parseBootstrap("[::1]:9093")).toEqual([{ host: "::1", port: 9093 }]);
    expect(parseBootstrap(["localhost"])).toEqual([{ host: "localhost", port: 9092 }]);
  });

  it("rejects empty lists and bad ports", () => {
    expect(() => parseBootstrap("")).toThrow(/no bootstrap/);
    expect(() => parseBootstrap("a:99999")).toThrow(/bad port/);
  });
});

describe("assignPartitions", () => {
  it("hashes keys like the Java client, keeps null keys on one sticky partition, honours explicit partitions", () => {
    const records = [
      { key: "foobar", value: "1" },
      { key: null, value: "2" },
      { key: null, value: "3" },
      { key: "x", value: "4", partition: 5 },
    ];
    const groups = assignPartitions(records, 8, () => 7);
    expect(groups.get(partitionForKey(Buffer.from("foobar"), 8))?.map((r) => r.value)).toContain("1");
    expect(groups.get(7)?.map((r) => r.value)).toEqual(["2", "3"]);
    expect(groups.get(5)?.map((r) => r.value)).toEqual(["4"]);
  });
});

describe("KafkaResponseError", () => {
  it("names the Kafka error in its message", () => {
    const err = new KafkaResponseError(36, "create topic t");
    expect(err.message).toBe("create topic t: TOPIC_ALREADY_EXISTS");
    expect(err.errorName).toBe("TOPIC_ALREADY_EXISTS");
    expect(new KafkaResponseError(6, "x").retriable).toBe(true);
  });
});
