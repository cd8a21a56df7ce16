import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestBroker } from "../../../kafka/broker/test-broker.js";
import { optionsFor, recordingContext, recordingSink, startKafkaTestBroker } from "../kafka/test-support.js";
import { type KafkaInput, kafkaInput } from "./kafka.js";

let tb: TestBroker;
let bootstrap: string;
let kafka: kafkajs.Kafka;
let admin: kafkajs.Admin;
let producer: kafkajs.Producer;

beforeAll(async () => {
  tb = await startKafkaTestBroker();
  bootstrap = `127.0.0.1:${tb.broker.port}`;
  kafka = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "in-2p", numPartitions: 2 }], waitForLeaders: true });
  producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
});
afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await tb?.stop();
});

function input(given: Record<string, unknown>) {
  const recorded = recordingContext(kafkaInput);
  const instance = kafkaInput.create(
    optionsFor(kafkaInput, {
      bootstrap_servers: bootstrap,
      auto_offset_reset: "earliest",
      ...given,
    } as never),
    recorded.context,
  ) as KafkaInput;
  return { instance, ...recorded };
}

async function committed(group: string, topic: string): Promise<number> {
  const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return offsets[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

describe("kafka input", () => {
  it("reads every record once, in order per partition, with basic metadata", async () => {
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, value: `m${i}` }));
    await producer.send({ topic: "in-2p", messages });
    const { instance } = input({ topics: ["in-2p"], group_id: "g-order", decorate_events: "basic" });
    const { sink, accepted } = recordingSink();
    const running = instance.run(sink);
    await vi.waitFor(() => expect(accepted).toHaveLength(20), { timeout: 15_000 });
    instance.stop();
    await running;
    const byPartition = new Map<number, number[]>();
    for (const e of accepted) {
      const p = e.get("[@metadata][kafka][partition]") as number;
      byPartition.set(p, [...(byPartition.get(p) ?? []), e.get("[@metadata][kafka][offset]") as number]);
      expect(e.get("[@metadata][kafka][topic]")).toBe("in-2p");
      expect(e.get("[@metadata][kafka][consumer_group]")).toBe("g-order");
      expect(typeof e.get("[@metadata][kafka][timestamp]")).toBe("number");
      expect(e.get("[@metadata][kafka][headers]")).toBeUndefined();
    }
    for (const offsets of byPartition.values()) expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(accepted.map((e) => e.get("message")))).toEqual(new Set(messages.map((m) => m.value)));
    expect(accepted.every((e) => /^k\d$/.test(e.get("[@metadata][kafka][key]") as string))).toBe(true);
  });

  it("commits only after the pipeline accepted the batch (at-least-once), and resumes after it", async () => {
    await producer.send({ topic: "in-gate", messages: [{ value: "a" }, { value: "b" }, { value: "c" }] });
    const { instance } = input({ topics: ["in-gate"], group_id: "g-gate", enable_auto_commit: false });
    const gated = recordingSink();
    gated.close();
    const running = instance.run(gated.sink);
    await new Promise((r) => setTimeout(r, 1500));
    expect(gated.accepted).toHaveLength(0);
    expect(await committed("g-gate", "in-gate")).toBe(0);
    gated.open();
    await vi.waitFor(() => expect(gated.accepted).toHaveLength(3), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await committed("g-gate", "in-gate")).toBe(3), { timeout: 10_000 });
    instance.stop();
    await running;
    // A new member of the group starts after the committed offsets: nothing is read twice.
    await producer.send({ topic: "in-gate", messages: [{ value: "d" }] });
    const again = input({ topics: ["in-gate"], group_id: "g-gate" });
    const sink = recordingSink();
    const second = again.instance.run(sink.sink);
    await vi.waitFor(() => expect(sink.accepted.map((e) => e.get("message"))).toEqual(["d"]), {
      timeout: 15_000,
    });
    again.instance.stop();
    await second;
  }, 40_000);

  it("subscribes by topics_pattern and adds headers with decorate_events extended", async () => {
    await producer.send({
      topic: "pat-one",
      messages: [{ value: "x", headers: { h: "v", bin: Buffer.from([0xff, 0xfe]) } }],
    });
    const { instance } = input({ topics_pattern: "pat-.*", group_id: "g-pat", decorate_events: "extended" });
    const { sink, accepted } = recordingSink();
    const running = instance.run(sink);
    await vi.waitFor(() => expect(accepted).toHaveLength(1), { timeout: 15_000 });
    instance.stop();
    await running;
    expect(accepted[0]!.get("[@metadata][kafka][headers][h]")).toBe("v");
    expect(accepted[0]!.get("[@metadata][kafka][headers][bin]")).toBeUndefined();
    expect(accepted[0]!.get("[@metadata][kafka][key]")).toBeNull();
  });

  it("checks its options as Logstash's register does", () => {
    const create = (given: Record<string, unknown>) => () => input(given);
    expect(create({ value_deserializer_class: "io.confluent.KafkaAvroDeserializer" })).toThrow(
      /not supported/,
    );
    expect(create({ topics_pattern: "(" })).toThrow(/topics_pattern/);
    expect(create({ auto_offset_reset: "none" })).toThrow(/auto_offset_reset/);
    expect(create({ security_protocol: "SASL_SSL" })).toThrow(/not supported by Sluice yet/);
    expect(create({ consumer_threads: 0 })).toThrow(/consumer_threads/);
    expect(create({ schema_registry_url: "http://sr" })).toThrow(/schema_registry_url/);
    const deprecated = input({ decorate_events: "true", check_crcs: false });
    expect(deprecated.instance.settings.metadata).toBe("basic");
    expect(deprecated.warnings.some((w) => w.includes("deprecated"))).toBe(true);
    expect(deprecated.warnings.some((w) => w.startsWith("check_crcs is not supported"))).toBe(true);
    const settings = input({}).instance.settings;
    expect(settings).toMatchObject({
      groupId: "logstash",
      topics: ["logstash"],
      maxPollRecords: 500,
      enableAutoCommit: true,
    });
  });
});
