import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestBroker } from "../../../kafka/broker/test-broker.js";
import { Event } from "../../event/index.js";
import { type KafkaInput, kafkaInput } from "../inputs/kafka.js";
import { optionsFor, recordingContext, recordingSink, startKafkaTestBroker } from "../kafka/test-support.js";
import { type KafkaOutput, kafkaOutput, partitionerFor } from "./kafka.js";

let tb: TestBroker;
let bootstrap: string;
let admin: kafkajs.Admin;

beforeAll(async () => {
  tb = await startKafkaTestBroker();
  bootstrap = `127.0.0.1:${tb.broker.port}`;
  admin = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await tb?.stop();
});

function output(given: Record<string, unknown>, codec: "plain" | "json" = "plain") {
  const recorded = recordingContext(kafkaOutput);
  const instance = kafkaOutput.create(
    optionsFor(kafkaOutput, { bootstrap_servers: bootstrap, ...given } as never, codec),
    recorded.context,
  ) as KafkaOutput;
  return { instance, ...recorded };
}

/** Reads a topic back from the start with the kafka input (decorate_events extended). */
async function readBack(topic: string, count: number, codec: "plain" | "json" = "plain") {
  const { context } = recordingContext(kafkaInput);
  const input = kafkaInput.create(
    optionsFor(
      kafkaInput,
      {
        bootstrap_servers: bootstrap,
        topics: [topic],
        group_id: `reader-${topic}`,
        auto_offset_reset: "earliest",
        decorate_events: "extended",
      },
      codec,
    ),
    context,
  ) as KafkaInput;
  const { sink, accepted } = recordingSink();
  const running = input.run(sink);
  const deadline = Date.now() + 15_000;
  while (accepted.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  input.stop();
  await running;
  return accepted;
}

describe("kafka output", () => {
  it("writes topic, key and headers rendered per event, encoded by the codec, and resolves after the ack", async () => {
    const { instance } = output(
      { topic_id: "out-%{[dest]}", message_key: "%{user}", message_headers: { origin: "%{host}" } },
      "json",
    );
    const events = [1, 2, 3].map((n) => new Event({ dest: "t1", user: `u${n}`, host: "h", n }));
    await instance.receive(events);
    const offsets = await admin.fetchTopicOffsets("out-t1");
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(3);
    await instance.close();
    const read = await readBack("out-t1", 3, "json");
    expect(read.map((e) => e.get("n"))).toEqual([1, 2, 3]);
    expect(read.map((e) => e.get("[@metadata][kafka][key]"))).toEqual(["u1", "u2", "u3"]);
    expect(read[0]!.get("[@metadata][kafka][headers][origin]")).toBe("h");
    expect(read[0]!.get("[@metadata][kafka][topic]")).toBe("out-t1");
  });

  for (const compression of ["none", "gzip", "snappy", "lz4", "zstd"]) {
    it(`round-trips records compressed with ${compression}`, async () => {
      const topic = `comp-${compression}`;
      const { instance } = output({ topic_id: topic, compression_type: compression, acks: "all" });
      await instance.receive([new Event({ message: "a".repeat(500) }), new Event({ message: "b" })]);
      await instance.close();
      const read = await readBack(topic, 2);
      expect(read.map((e) => (e.get("message") as string).slice(-1))).toEqual(["a", "b"]);
    });
  }

  it("drops an event larger than max_request_size with a warning and a counted failure", async () => {
    const { instance, failures } = output({ topic_id: "big", max_request_size: 100 });
    await instance.receive([new Event({ message: "x".repeat(200) })]);
    await instance.close();
    expect(failures).toEqual(["kafka_record_too_large"]);
  });

  it("gives up after `retries` failed sends, logging and counting the loss", async () => {
    const { instance, failures, warnings } = output({
      topic_id: "t",
      bootstrap_servers: "127.0.0.1:1",
      retries: 0,
      retry_backoff_ms: 1,
      request_timeout_ms: 1000,
    });
    expect(warnings.some((w) => w.includes("LOST"))).toBe(true);
    await instance.receive([new Event({ message: "x" })]);
    await instance.close();
    expect(failures).toEqual(["kafka_send_failure"]);
  }, 30_000);

  it("refuses what Logstash's register refuses, and what Sluice cannot do", () => {
    const create = (given: Record<string, unknown>) => () => output({ topic_id: "t", ...given });
    expect(create({ retries: -1 })).toThrow(/negative retry count/);
    expect(create({ partitioner: "com.example.MyPartitioner" })).toThrow(/partitioner/);
    expect(create({ value_serializer: "x.Avro" })).toThrow(/value_serializer/);
    expect(create({ security_protocol: "SSL" })).toThrow(/SSL is not supported/);
    expect(create({ security_protocol: "SASL_PLAINTEXT" })).toThrow(/GSSAPI is not supported/);
    expect(
      create({
        security_protocol: "SASL_PLAINTEXT",
        sasl_mechanism: "PLAIN",
        sasl_jaas_config: "x required;",
      }),
    ).toThrow(/username/);
    expect(create({ bootstrap_servers: "nohostport" })).toThrow(/host:port/);
    const ok = output({
      topic_id: "t",
      security_protocol: "SASL_PLAINTEXT",
      sasl_mechanism: "SCRAM-SHA-256",
      sasl_jaas_config:
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
      linger_ms: 5,
    });
    expect(ok.instance.settings.client.sasl).toEqual({
      mechanism: "scram-sha-256",
      username: "u",
      password: "p",
    });
    expect(ok.warnings.some((w) => w.startsWith("linger_ms is not supported"))).toBe(true);
    expect(output({ topic_id: "t", acks: "all" }).instance.settings.acks).toBe(-1);
    expect(output({ topic_id: "t", acks: "0" }).instance.settings.acks).toBe(0);
  });

  it("partitions round robin, and sticks to one partition within a batch with uniform_sticky", () => {
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0 }));
    const args = { topic: "t", partitionMetadata, message: { value: "v" } } as never;
    const robin = partitionerFor("round_robin")();
    expect([robin(args), robin(args), robin(args), robin(args)]).toEqual([0, 1, 2, 0]);
    const sticky = partitionerFor("uniform_sticky")();
    const first = sticky(args);
    expect([sticky(args), sticky(args)]).toEqual([first, first]);
  });
});
