// Produce, Fetch, ListOffsets and InitProducerId through a real broker over a loopback socket.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import { decodeRecords, encodeBatch, type RecordInput } from "../../protocol/records/record-batch.js";
import { startTestBroker, type TestBroker } from "../test-broker.js";
import { TestClient } from "../test-client.js";

let tb: TestBroker;
let client: TestClient;
beforeAll(async () => {
  tb = await startTestBroker();
  client = await TestClient.connect(tb.broker.port);
});
afterAll(async () => {
  client.close();
  await tb.stop();
});

function records(prefix: string, n: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`${prefix}-${i}`),
  }));
}

async function createTopic(name: string, numPartitions = 1) {
  const res = await client.request(ApiKey.CreateTopics, 5, {
    topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  expect(res.topics[0].errorCode).toBe(ErrorCode.NONE);
}

function produceBody(topic: string, batch: Buffer, acks: number, partition = 0) {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  };
}

function fetchBody(
  topic: string,
  fetchOffset: bigint,
  opts: { maxWaitMs?: number; minBytes?: number; partition?: number } = {},
) {
  return {
    replicaId: -1,
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 0,
    maxBytes: 10 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: opts.partition ?? 0,
            currentLeaderEpoch: -1,
            fetchOffset,
            logStartOffset: -1n,
            partitionMaxBytes: 1024 * 1024,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  };
}

async function fetchValues(topic: string, offset: bigint, version = 11): Promise<string[]> {
  const res = await client.request(ApiKey.Fetch, version, fetchBody(topic, offset));
  const p = res.responses[0].partitions[0];
  expect(p.errorCode).toBe(ErrorCode.NONE);
  if (!p.records) return [];
  return (await decodeRecords(Buffer.concat([p.records].flat())))
    .filter((r) => r.offset >= offset)
    .map((r) => r.value!.toString());
}

describe("Produce and Fetch", () => {
  it("round-trips batches with acks 1 and -1, with offsets assigned by the broker", async () => {
    await createTopic("rt");
    const r1 = await client.request(
      ApiKey.Produce,
      7,
      produceBody("rt", await encodeBatch({ records: records("a", 3) }), 1),
    );
    expect(r1.responses[0].partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0n });
    const r2 = await client.request(
      ApiKey.Produce,
      9,
      produceBody("rt", await encodeBatch({ records: records("b", 2), compression: 1 }), -1),
    );
    expect(r2.responses[0].partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 3n });
    expect(await fetchValues("rt", 0n)).toEqual(["a-0", "a-1", "a-2", "b-0", "b-1"]);
    expect(await fetchValues("rt", 4n, 4)).toEqual(["b-1"]);
    const hw = await client.request(ApiKey.Fetch, 12, fetchBody("rt", 5n));
    expect(hw.responses[0].partitions[0]).toMatchObject({
      highWatermark: 5n,
      lastStableOffset: 5n,
      logStartOffset: 0n,
    });
    expect(hw.sessionId).toBe(0);
  });

  it("sends no response to acks=0 and still answers later pipelined requests in order", async () => {
    await createTopic("acks0");
    const c = await TestClient.connect(tb.broker.port);
    const silent = c.sendOnly(
      ApiKey.Produce,
      8,
      produceBody("acks0", await encodeBatch({ records: records("z", 1) }), 0),
    );
    const meta = c.request(ApiKey.Metadata, 9, {
      topics: [{ name: "acks0" }],
      allowAutoTopicCreation: false,
    });
    const produce = c.request(
      ApiKey.Produce,
      8,
      produceBody("acks0", await encodeBatch({ records: records("y", 1) }), 1),
    );
    const [m, p] = await Promise.all([meta, produce]);
    expect(m.topics[0].errorCode).toBe(0);
    expect(p.responses[0].partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 1n });
    expect(c.arrivals).not.toContain(silent);
    expect(c.arrivals).toEqual([silent + 1, silent + 2]);
    c.close();
    expect(await fetchValues("acks0", 0n)).toEqual(["z-0", "y-0"]);
  });

  it("answers errors per partition: unknown partition, corrupt batch, too large", async () => {
    await createTopic("errs");
    const batch = await encodeBatch({ records: records("x", 1) });
    const corrupt = Buffer.from(batch);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const big = await encodeBatch({ records: [{ value: Buffer.alloc(1_100_000, 7) }] });
    const res = await client.request(ApiKey.Produce, 8, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: "errs",
          partitionData: [
            { index: 0, records: corrupt },
            { index: 5, records: batch },
          ],
        },
        { name: "nope", partitionData: [{ index: 0, records: batch }] },
        { name: "errs", partitionData: [{ index: 0, records: big }] },
      ],
    });
    expect(res.responses[0].partitionResponses.map((p: { errorCode: number }) => p.errorCode)).toEqual([
      ErrorCode.CORRUPT_MESSAGE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(res.responses[1].partitionResponses[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(res.responses[2].partitionResponses[0].errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it("refuses transactional batches with a clear error", async () => {
    await createTopic("txn");
    const batch = await encodeBatch({
      records: records("t", 1),
      producerId: 5n,
      producerEpoch: 0,
      baseSequence: 0,
      transactional: true,
    });
    const res = await client.request(ApiKey.Produce, 8, produceBody("txn", batch, 1));
    const p = res.responses[0].partitionResponses[0];
    expect(p.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(p.errorMessage).toMatch(/transactions/);
  });

  it("dedupes idempotent retries and refuses sequence gaps", async () => {
    await createTopic("idem");
    const init = await client.request(ApiKey.InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 1000,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect(init.errorCode).toBe(0);
    const pid = init.producerId as bigint;
    const batch = (seq: number, n: number) =>
      encodeBatch({ records: records(`s${seq}`, n), producerId: pid, producerEpoch: 0, baseSequence: seq });
    const first = await client.request(ApiKey.Produce, 8, produceBody("idem", await batch(0, 2), -1));
    expect(first.responses[0].partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0n });
    const second = await client.request(ApiKey.Produce, 8, produceBody("idem", await batch(2, 1), -1));
    expect(second.responses[0].partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 2n });
    const retry = await client.request(ApiKey.Produce, 8, produceBody("idem", await batch(0, 2), -1));
    expect(retry.responses[0].partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0n });
    const gap = await client.request(ApiKey.Produce, 8, produceBody("idem", await batch(5, 1), -1));
    expect(gap.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await fetchValues("idem", 0n)).toEqual(["s0-0", "s0-1", "s2-0"]);
    const bumped = await client.request(ApiKey.InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 1000,
      producerId: pid,
      producerEpoch: 0,
    });
    expect(bumped).toMatchObject({ errorCode: 0, producerId: pid, producerEpoch: 1 });
    const fenced = await encodeBatch({
      records: records("old", 1),
      producerId: pid,
      producerEpoch: 0,
      baseSequence: 3,
    });
    await client.request(
      ApiKey.Produce,
      8,
      produceBody(
        "idem",
        await encodeBatch({ records: records("new", 1), producerId: pid, producerEpoch: 1, baseSequence: 0 }),
        1,
      ),
    );
    const old = await client.request(ApiKey.Produce, 8, produceBody("idem", fenced, 1));
    expect(old.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it("refuses InitProducerId for a transactional id", async () => {
    const res = await client.request(ApiKey.InitProducerId, 1, {
      transactionalId: "tx-1",
      transactionTimeoutMs: 1000,
    });
    expect(res.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  });

  it("long-polls: a waiting fetch wakes on produce, and times out at maxWaitMs", async () => {
    await createTopic("poll");
    const c2 = await TestClient.connect(tb.broker.port);
    const started = Date.now();
    const waiting = c2.request(ApiKey.Fetch, 11, fetchBody("poll", 0n, { maxWaitMs: 10_000, minBytes: 1 }));
    await new Promise((r) => setTimeout(r, 100));
    await client.request(
      ApiKey.Produce,
      8,
      produceBody("poll", await encodeBatch({ records: records("w", 1) }), 1),
    );
    const woke = await waiting;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(Buffer.concat([woke.responses[0].partitions[0].records].flat()).length).toBeGreaterThan(0);

    const t0 = Date.now();
    const empty = await c2.request(ApiKey.Fetch, 11, fetchBody("poll", 1n, { maxWaitMs: 300, minBytes: 1 }));
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(3_000);
    // An empty record set, not null: librdkafka refuses a null one.
    const none = empty.responses[0].partitions[0].records;
    expect(none).not.toBeNull();
    expect(Buffer.concat([none].flat()).length).toBe(0);
    c2.close();
  });

  it("ends a long poll at maxWaitMs even when garbage collection runs during the wait", async () => {
    // Node 20 can collect an AbortSignal.timeout() held only by AbortSignal.any(); the handler must not rely on it.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    await createTopic("poll-gc");
    const t0 = Date.now();
    const pending = client.request(
      ApiKey.Fetch,
      11,
      fetchBody("poll-gc", 0n, { maxWaitMs: 400, minBytes: 1 }),
    );
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
      gc();
    }
    await pending;
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it("answers Fetch v2-3 (old message formats) with UNSUPPORTED_FOR_MESSAGE_FORMAT instead of v2 batches", async () => {
    await createTopic("old-fetch");
    const produced = await client.request(
      ApiKey.Produce,
      3,
      produceBody("old-fetch", await encodeBatch({ records: records("o", 2) }), 1),
    );
    expect(produced.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
    for (const version of [2, 3]) {
      const res = await client.request(ApiKey.Fetch, version, fetchBody("old-fetch", 0n));
      const part = res.responses[0].partitions[0];
      expect(part.errorCode).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
      expect(part.records?.length ?? 0).toBe(0);
    }
  });

  it("answers OFFSET_OUT_OF_RANGE past the end and for unknown partitions UNKNOWN_TOPIC_OR_PARTITION", async () => {
    await createTopic("range");
    const res = await client.request(
      ApiKey.Fetch,
      11,
      fetchBody("range", 50n, { maxWaitMs: 5000, minBytes: 1 }),
    );
    expect(res.responses[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const unknown = await client.request(ApiKey.Fetch, 11, fetchBody("range", 0n, { partition: 9 }));
    expect(unknown.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it("returns the first batch even when it is larger than partitionMaxBytes", async () => {
    await createTopic("bigfirst");
    await client.request(
      ApiKey.Produce,
      8,
      produceBody("bigfirst", await encodeBatch({ records: [{ value: Buffer.alloc(50_000, 1) }] }), 1),
    );
    const body = fetchBody("bigfirst", 0n);
    body.topics[0]!.partitions[0]!.partitionMaxBytes = 100;
    const res = await client.request(ApiKey.Fetch, 11, body);
    const got = await decodeRecords(Buffer.concat([res.responses[0].partitions[0].records].flat()));
    expect(got).toHaveLength(1);
    expect(got[0]!.value!.length).toBe(50_000);
  });

  it("lists offsets: earliest, latest, by timestamp and past the end", async () => {
    await createTopic("lo");
    const t = BigInt(Date.now());
    await client.request(
      ApiKey.Produce,
      8,
      produceBody(
        "lo",
        await encodeBatch({
          records: [
            { value: Buffer.from("a"), timestamp: t - 1000n },
            { value: Buffer.from("b"), timestamp: t },
          ],
        }),
        1,
      ),
    );
    await client.request(
      ApiKey.Produce,
      8,
      produceBody(
        "lo",
        await encodeBatch({ records: [{ value: Buffer.from("c"), timestamp: t + 1000n }] }),
        1,
      ),
    );
    const ask = (timestamp: bigint) =>
      client
        .request(ApiKey.ListOffsets, 7, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: "lo", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }],
        })
        .then((r) => r.topics[0].partitions[0]);
    expect(await ask(-2n)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await ask(-1n)).toMatchObject({ errorCode: 0, offset: 3n });
    expect(await ask(t - 500n)).toMatchObject({ errorCode: 0, offset: 1n, timestamp: t });
    expect(await ask(t + 1n)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: t + 1000n });
    expect(await ask(t + 5000n)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
    expect(await ask(-3n)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: t + 1000n });
  });
});
