import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { ApiKey, decodeRequest, encodeResponse } from "./index.js";

// kafkajs is an independent implementation of the same wire format: its bytes must decode with ours and back.
const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: kafkajs internals are untyped CommonJS.
type Untyped = any;
const encodeKafkajsRequest: Untyped = require("kafkajs/src/protocol/request.js");
const produceV3: Untyped = require("kafkajs/src/protocol/requests/produce/v3/request.js");
const fetchV11Request: Untyped = require("kafkajs/src/protocol/requests/fetch/v11/request.js");
const fetchV11Response: Untyped = require("kafkajs/src/protocol/requests/fetch/v11/response.js");
const metadataV5Request: Untyped = require("kafkajs/src/protocol/requests/metadata/v5/request.js");
const metadataV5Response: Untyped = require("kafkajs/src/protocol/requests/metadata/v5/response.js");
const apiVersionsV2Response: Untyped = require("kafkajs/src/protocol/requests/apiVersions/v2/response.js");
const { RecordBatch }: Untyped = require("kafkajs/src/protocol/recordBatch/v0/index.js");
const Record: Untyped = require("kafkajs/src/protocol/recordBatch/record/v0/index.js");

async function kafkajsFrame(request: Untyped): Promise<Buffer> {
  const encoder = await encodeKafkajsRequest({ correlationId: 5, clientId: "kjs", request });
  return encoder.buffer.subarray(4);
}

/** A response body as kafkajs's decoders expect it: after the size prefix and correlation id. */
function responsePayload(chunks: Buffer[]): Buffer {
  return Buffer.concat(chunks).subarray(8);
}

async function kafkajsBatch(): Promise<Buffer> {
  const records = [Record({ key: Buffer.from("k"), value: Buffer.from("hello") })];
  const batch = await RecordBatch({ records, firstTimestamp: 1700000000000, maxTimestamp: 1700000000000 });
  return batch.buffer;
}

describe("kafkajs interop", () => {
  it("decodes a kafkajs Produce v3 request with a real record batch", async () => {
    const messages = [{ key: "k", value: "hello", timestamp: 1700000000000 }];
    const request = produceV3({
      acks: -1,
      timeout: 1000,
      topicData: [{ topic: "t", partitions: [{ partition: 2, messages }] }],
    });
    const { header, body } = decodeRequest(await kafkajsFrame(request));
    expect(header).toEqual({ apiKey: ApiKey.Produce, apiVersion: 3, correlationId: 5, clientId: "kjs" });
    expect(body.acks).toBe(-1);
    expect(body.transactionalId).toBeNull();
    const partition = body.topicData[0].partitionData[0];
    expect(body.topicData[0].name).toBe("t");
    expect(partition.index).toBe(2);
    expect(partition.records.readInt8(16)).toBe(2); // RecordBatch magic
    expect(partition.records.readInt32BE(8)).toBe(partition.records.length - 12);
  });

  it("decodes a kafkajs Fetch v11 request", async () => {
    const topics = [{ topic: "t", partitions: [{ partition: 0, fetchOffset: "42", maxBytes: 1000 }] }];
    const request = fetchV11Request({
      replicaId: -1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 9999,
      topics,
      rackId: "r1",
    });
    const { body } = decodeRequest(await kafkajsFrame(request));
    expect(body).toMatchObject({
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 9999,
      isolationLevel: 1,
      rackId: "r1",
    });
    expect(body.topics[0].topic).toBe("t");
    expect(body.topics[0].partitions[0]).toMatchObject({
      partition: 0,
      fetchOffset: 42n,
      partitionMaxBytes: 1000,
    });
  });

  it("decodes a kafkajs Metadata v5 request", async () => {
    const { body } = decodeRequest(
      await kafkajsFrame(metadataV5Request({ topics: ["a", "b"], allowAutoTopicCreation: false })),
    );
    expect(body.topics).toEqual([{ name: "a" }, { name: "b" }]);
    expect(body.allowAutoTopicCreation).toBe(false);
  });

  it("kafkajs decodes our Fetch v11 response and the batch inside it", async () => {
    const batch = await kafkajsBatch();
    const body = {
      sessionId: 0,
      responses: [
        {
          topic: "t",
          partitions: [
            {
              partitionIndex: 0,
              highWatermark: 1n,
              lastStableOffset: 1n,
              logStartOffset: 0n,
              records: [batch],
            },
          ],
        },
      ],
    };
    const header = { apiKey: ApiKey.Fetch, apiVersion: 11, correlationId: 5, clientId: null };
    const decoded = await fetchV11Response.decode(responsePayload(encodeResponse(header, body)));
    const partition = decoded.responses[0].partitions[0];
    expect(decoded.responses[0].topicName).toBe("t");
    expect(partition.highWatermark).toBe("1");
    expect(partition.preferredReadReplica).toBe(-1);
    expect(partition.messages).toHaveLength(1);
    expect(partition.messages[0].value.toString()).toBe("hello");
  });

  it("kafkajs decodes our Metadata v5 and ApiVersions v2 responses", async () => {
    const metadata = {
      brokers: [{ nodeId: 1, host: "localhost", port: 9092, rack: null }],
      clusterId: "sluice",
      controllerId: 1,
      topics: [
        { name: "t", partitions: [{ partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }] },
      ],
    };
    const m = await metadataV5Response.decode(
      responsePayload(
        encodeResponse({ apiKey: 3, apiVersion: 5, correlationId: 5, clientId: null }, metadata),
      ),
    );
    expect(m.brokers).toEqual([{ nodeId: 1, host: "localhost", port: 9092, rack: null }]);
    expect(m.clusterId).toBe("sluice");
    expect(m.topicMetadata[0].partitionMetadata[0]).toMatchObject({
      partitionId: 0,
      leader: 1,
      replicas: [1],
      offlineReplicas: [],
    });

    const apiKeys = [{ apiKey: 0, minVersion: 3, maxVersion: 9 }];
    const v = await apiVersionsV2Response.decode(
      responsePayload(
        encodeResponse({ apiKey: 18, apiVersion: 2, correlationId: 5, clientId: null }, { apiKeys }),
      ),
    );
    expect(v.apiVersions).toEqual(apiKeys);
    expect(v.errorCode).toBe(0);
  });
});
