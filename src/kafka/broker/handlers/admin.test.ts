// Metadata and the admin APIs (topics, partitions, configs, DeleteRecords) through a real broker.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import { encodeBatch } from "../../protocol/records/record-batch.js";
import { startTestBroker, type TestBroker } from "../test-broker.js";
import { TestClient } from "../test-client.js";

let tb: TestBroker;
let client: TestClient;
beforeAll(async () => {
  tb = await startTestBroker({ numPartitions: 2 });
  client = await TestClient.connect(tb.broker.port);
});
afterAll(async () => {
  client.close();
  await tb.stop();
});

interface Creatable {
  name: string;
  numPartitions?: number;
  replicationFactor?: number;
  configs?: { name: string; value: string }[];
  assignments?: { partitionIndex: number; brokerIds: number[] }[];
}

function createTopics(topics: Creatable[], validateOnly = false, version = 5) {
  return client.request(ApiKey.CreateTopics, version, {
    topics: topics.map((t) => ({
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [],
      configs: [],
      ...t,
    })),
    timeoutMs: 1000,
    validateOnly,
  });
}

async function describeTopic(name: string, keys: string[] | null = null, includeSynonyms = false) {
  const res = await client.request(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: 2, resourceName: name, configurationKeys: keys }],
    includeSynonyms,
    includeDocumentation: false,
  });
  return res.results[0];
}

describe("Metadata", () => {
  it("describes the single broker and auto-creates topics only when both sides allow it", async () => {
    const noCreate = await client.request(ApiKey.Metadata, 9, {
      topics: [{ name: "auto-a" }],
      allowAutoTopicCreation: false,
    });
    expect(noCreate.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(noCreate.brokers).toEqual([
      expect.objectContaining({ nodeId: 0, host: "localhost", port: tb.broker.port }),
    ]);
    expect(noCreate.controllerId).toBe(0);
    expect(noCreate.clusterId).toBe(tb.broker.state.clusterId);

    const create = await client.request(ApiKey.Metadata, 9, {
      topics: [{ name: "auto-a" }],
      allowAutoTopicCreation: true,
    });
    expect(create.topics[0].errorCode).toBe(ErrorCode.NONE);
    expect(create.topics[0].partitions).toHaveLength(2);
    expect(create.topics[0].partitions[1]).toMatchObject({
      partitionIndex: 1,
      leaderId: 0,
      leaderEpoch: 0,
      replicaNodes: [0],
      isrNodes: [0],
    });

    const v1 = await client.request(ApiKey.Metadata, 1, { topics: [{ name: "auto-b" }] });
    expect(v1.topics[0].errorCode).toBe(ErrorCode.NONE);
    const bad = await client.request(ApiKey.Metadata, 9, {
      topics: [{ name: "bad name!" }],
      allowAutoTopicCreation: true,
    });
    expect(bad.topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);

    const all = await client.request(ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
    const names = all.topics.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(["auto-a", "auto-b"]));
    const v0all = await client.request(ApiKey.Metadata, 0, { topics: [] });
    expect(v0all.topics.length).toBe(all.topics.length);
  });

  it("does not auto-create when the broker disables it", async () => {
    const other = await startTestBroker({ autoCreateTopicsEnable: false });
    const c = await TestClient.connect(other.broker.port);
    const res = await c.request(ApiKey.Metadata, 9, {
      topics: [{ name: "x" }],
      allowAutoTopicCreation: true,
    });
    expect(res.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    c.close();
    await other.stop();
  });
});

describe("CreateTopics / DeleteTopics / CreatePartitions", () => {
  it("creates topics with defaults and configs, and refuses bad requests", async () => {
    const res = await createTopics([
      { name: "ct-a" },
      {
        name: "ct-b",
        numPartitions: 3,
        replicationFactor: 1,
        configs: [{ name: "retention.ms", value: "1000" }],
      },
      { name: "ct-rf", replicationFactor: 3 },
      { name: "ct-assign", assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
      { name: "ct-cfg", configs: [{ name: "no.such.config", value: "1" }] },
      { name: "bad/name" },
      { name: "ct-zero", numPartitions: 0 },
    ]);
    const codes = res.topics.map((t: { errorCode: number }) => t.errorCode);
    expect(codes).toEqual([
      ErrorCode.NONE,
      ErrorCode.NONE,
      ErrorCode.INVALID_REPLICATION_FACTOR,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_CONFIG,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.INVALID_PARTITIONS,
    ]);
    expect(res.topics[0]).toMatchObject({ numPartitions: 2, replicationFactor: 1 });
    expect(res.topics[1].configs).toContainEqual(
      expect.objectContaining({ name: "retention.ms", value: "1000", configSource: 1 }),
    );
    const again = await createTopics([{ name: "ct-a" }]);
    expect(again.topics[0].errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    const validateOnly = await createTopics([{ name: "ct-v" }], true);
    expect(validateOnly.topics[0].errorCode).toBe(ErrorCode.NONE);
    expect(tb.broker.state.logs.topic("ct-v")).toBeFalsy();
  });

  it("adds partitions and deletes topics", async () => {
    await createTopics([{ name: "cp", numPartitions: 1 }]);
    const grow = await client.request(ApiKey.CreatePartitions, 3, {
      topics: [
        { name: "cp", count: 4, assignments: null },
        { name: "cp-missing", count: 2, assignments: null },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(grow.results.map((r: { errorCode: number }) => r.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    const shrink = await client.request(ApiKey.CreatePartitions, 3, {
      topics: [{ name: "cp", count: 2, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(shrink.results[0].errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    const meta = await client.request(ApiKey.Metadata, 9, {
      topics: [{ name: "cp" }],
      allowAutoTopicCreation: false,
    });
    expect(meta.topics[0].partitions).toHaveLength(4);

    const del = await client.request(ApiKey.DeleteTopics, 4, {
      topicNames: ["cp", "cp-missing"],
      timeoutMs: 1000,
    });
    expect(del.responses.map((r: { errorCode: number }) => r.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    const gone = await client.request(ApiKey.Metadata, 9, {
      topics: [{ name: "cp" }],
      allowAutoTopicCreation: false,
    });
    expect(gone.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe("configs", () => {
  it("describes defaults and overrides, with synonyms when asked", async () => {
    await createTopics([{ name: "cfg", configs: [{ name: "retention.ms", value: "5000" }] }]);
    const all = await describeTopic("cfg");
    expect(all.errorCode).toBe(0);
    const byName = new Map(all.configs.map((c: { name: string }) => [c.name, c]));
    expect(byName.get("retention.ms")).toMatchObject({ value: "5000", configSource: 1, readOnly: false });
    expect(byName.get("cleanup.policy")).toMatchObject({ value: "delete", configSource: 5 });
    expect(byName.get("max.message.bytes")).toMatchObject({ value: "1048588", configSource: 5 });
    const some = await describeTopic("cfg", ["retention.ms"], true);
    expect(some.configs).toHaveLength(1);
    expect(some.configs[0].synonyms.map((s: { source: number }) => s.source)).toEqual([1, 5]);
    const v0 = await client.request(ApiKey.DescribeConfigs, 0, {
      resources: [{ resourceType: 2, resourceName: "cfg", configurationKeys: ["segment.ms"] }],
    });
    expect(v0.results[0].configs[0]).toMatchObject({ name: "segment.ms", isDefault: true });
    const missing = await describeTopic("nope");
    expect(missing.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const broker = await client.request(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: 4, resourceName: "0", configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(broker.results[0].configs.map((c: { name: string }) => c.name)).toContain("message.max.bytes");
  });

  it("alters configs incrementally and by replacement", async () => {
    await createTopics([{ name: "alt", configs: [{ name: "retention.ms", value: "5000" }] }]);
    const inc = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: "alt",
          configs: [
            { name: "segment.ms", configOperation: 0, value: "60000" },
            { name: "cleanup.policy", configOperation: 2, value: "compact" },
          ],
        },
      ],
      validateOnly: false,
    });
    expect(inc.responses[0].errorCode).toBe(0);
    let cfg = new Map(
      (await describeTopic("alt")).configs.map((c: { name: string; value: string }) => [c.name, c.value]),
    );
    expect(cfg.get("segment.ms")).toBe("60000");
    expect(cfg.get("retention.ms")).toBe("5000");
    expect(cfg.get("cleanup.policy")).toBe("delete,compact");

    const del = await client.request(ApiKey.IncrementalAlterConfigs, 0, {
      resources: [
        {
          resourceType: 2,
          resourceName: "alt",
          configs: [{ name: "retention.ms", configOperation: 1, value: null }],
        },
      ],
      validateOnly: false,
    });
    expect(del.responses[0].errorCode).toBe(0);
    cfg = new Map(
      (await describeTopic("alt")).configs.map((c: { name: string; value: string }) => [c.name, c.value]),
    );
    expect(cfg.get("retention.ms")).toBe("604800000");

    const unknown = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: "alt",
          configs: [{ name: "bogus.config", configOperation: 0, value: "1" }],
        },
      ],
      validateOnly: false,
    });
    expect(unknown.responses[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);

    const replace = await client.request(ApiKey.AlterConfigs, 2, {
      resources: [
        { resourceType: 2, resourceName: "alt", configs: [{ name: "retention.bytes", value: "123456" }] },
      ],
      validateOnly: false,
    });
    expect(replace.responses[0].errorCode).toBe(0);
    cfg = new Map(
      (await describeTopic("alt")).configs.map((c: { name: string; value: string }) => [c.name, c.value]),
    );
    expect(cfg.get("retention.bytes")).toBe("123456");
    expect(cfg.get("segment.ms")).toBe("604800000");
  });
});

describe("DeleteRecords and OffsetForLeaderEpoch", () => {
  it("moves the log start offset and reports the end offset for epoch 0", async () => {
    await createTopics([{ name: "dr", numPartitions: 1 }]);
    await client.request(ApiKey.Produce, 8, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: "dr",
          partitionData: [
            {
              index: 0,
              records: await encodeBatch({
                records: [
                  { value: Buffer.from("a") },
                  { value: Buffer.from("b") },
                  { value: Buffer.from("c") },
                ],
              }),
            },
          ],
        },
      ],
    });
    const res = await client.request(ApiKey.DeleteRecords, 2, {
      topics: [
        {
          name: "dr",
          partitions: [
            { partitionIndex: 0, offset: 2n },
            { partitionIndex: 3, offset: 0n },
          ],
        },
      ],
      timeoutMs: 1000,
    });
    expect(res.topics[0].partitions[0]).toMatchObject({ errorCode: 0, lowWatermark: 2n });
    expect(res.topics[0].partitions[1].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const tooFar = await client.request(ApiKey.DeleteRecords, 0, {
      topics: [{ name: "dr", partitions: [{ partitionIndex: 0, offset: 99n }] }],
      timeoutMs: 1000,
    });
    expect(tooFar.topics[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const earliest = await client.request(ApiKey.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: "dr", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }],
    });
    expect(earliest.topics[0].partitions[0].offset).toBe(2n);

    const epochs = await client.request(ApiKey.OffsetForLeaderEpoch, 4, {
      replicaId: -1,
      topics: [{ topic: "dr", partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] }],
    });
    expect(epochs.topics[0].partitions[0]).toMatchObject({ errorCode: 0, leaderEpoch: 0, endOffset: 3n });
  });
});

describe("config edge cases", () => {
  it("refuses APPEND on a non-list config and answers a stale fetch session id", async () => {
    await createTopics([{ name: "edge" }]);
    const res = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: "edge",
          configs: [{ name: "retention.ms", configOperation: 2, value: "5" }],
        },
      ],
      validateOnly: false,
    });
    expect(res.responses[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);
    const fetch = await client.request(ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1000,
      isolationLevel: 0,
      sessionId: 1234,
      sessionEpoch: 3,
      topics: [],
      forgottenTopicsData: [],
      rackId: "",
    });
    expect(fetch.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });
});

describe("broker log defaults", () => {
  it("reports the broker's topic config defaults (by Kafka name) as DEFAULT_CONFIG", async () => {
    const other = await startTestBroker({
      logDefaults: { "retention.ms": "3600000", "cleanup.policy": "compact" },
    });
    const c = await TestClient.connect(other.broker.port);
    try {
      await c.request(ApiKey.Metadata, 9, { topics: [{ name: "d" }], allowAutoTopicCreation: true });
      const res = await c.request(ApiKey.DescribeConfigs, 4, {
        resources: [
          { resourceType: 2, resourceName: "d", configurationKeys: ["retention.ms", "cleanup.policy"] },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      expect(res.results[0].configs).toEqual([
        expect.objectContaining({ name: "retention.ms", value: "3600000", configSource: 5 }),
        expect.objectContaining({ name: "cleanup.policy", value: "compact", configSource: 5 }),
      ]);
    } finally {
      c.close();
      await other.stop();
    }
  });

  it("refuses to start with an invalid log default", async () => {
    await expect(startTestBroker({ logDefaults: { "retention.ms": "soon" } })).rejects.toThrow(
      /retention.ms/,
    );
  });
});
