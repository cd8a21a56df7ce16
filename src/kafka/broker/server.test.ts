// Connection layer tests over a loopback socket: framing, pipelining order, malformed input, listeners.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limits } from "../../common/limits.js";
import { ApiKey, ErrorCode, encodeRequest, supportedApis } from "../protocol/index.js";
import type { HandlerModule } from "./handler.js";
import { KafkaServer } from "./server.js";
import { startTestBroker, type TestBroker } from "./test-broker.js";
import { TestClient } from "./test-client.js";

let tb: TestBroker;
beforeAll(async () => {
  tb = await startTestBroker();
});
afterAll(async () => {
  await tb.stop();
});

function frameOf(bytes: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(bytes.length);
  return Buffer.concat([size, bytes]);
}

describe("broker connection layer", () => {
  it("answers ApiVersions with the APIs it has handlers for", async () => {
    const c = await TestClient.connect(tb.broker.port);
    for (const version of [0, 3]) {
      const res = await c.request(ApiKey.ApiVersions, version, {
        clientSoftwareName: "t",
        clientSoftwareVersion: "1",
      });
      expect(res.errorCode).toBe(ErrorCode.NONE);
      const keys = res.apiKeys.map((k: { apiKey: number }) => k.apiKey);
      expect(keys).toContain(ApiKey.Produce);
      expect(keys).toContain(ApiKey.Fetch);
      expect(keys).toContain(ApiKey.Metadata);
      const produce = res.apiKeys.find((k: { apiKey: number }) => k.apiKey === ApiKey.Produce);
      expect(produce.minVersion).toBe(0);
      expect(produce.maxVersion).toBe(supportedApis.get(ApiKey.Produce)!.maxVersion);
    }
    c.close();
  });

  it("answers an ApiVersions version it does not know with the v0 fallback", async () => {
    const c = await TestClient.connect(tb.broker.port);
    // ApiVersions v99, correlation id 77, client id "x": an unknown version, so the body is not read.
    const header = Buffer.alloc(2 + 2 + 4 + 2 + 1);
    header.writeInt16BE(ApiKey.ApiVersions, 0);
    header.writeInt16BE(99, 2);
    header.writeInt32BE(77, 4);
    header.writeInt16BE(1, 8);
    header.write("x", 10);
    const res = await c.sendFrame(ApiKey.ApiVersions, 0, frameOf(header));
    expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(res.apiKeys.length).toBeGreaterThan(5);
    // The connection stays usable.
    const again = await c.request(ApiKey.ApiVersions, 0, {});
    expect(again.errorCode).toBe(ErrorCode.NONE);
    c.close();
  });

  it("answers pipelined requests in request order", async () => {
    const c = await TestClient.connect(tb.broker.port);
    const requests = [];
    for (let i = 0; i < 20; i++) {
      requests.push(
        i % 2 === 0
          ? c.request(ApiKey.ApiVersions, 2, {})
          : c.request(ApiKey.Metadata, 9, { topics: [], allowAutoTopicCreation: false }),
      );
    }
    await Promise.all(requests);
    expect(c.arrivals).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    c.close();
  });

  it("closes a connection that sends an oversized frame, and keeps serving others", async () => {
    const bad = await TestClient.connect(tb.broker.port);
    const size = Buffer.alloc(4);
    size.writeInt32BE(0x7fffffff);
    bad.writeRaw(size);
    await bad.closed;
    const good = await TestClient.connect(tb.broker.port);
    expect((await good.request(ApiKey.ApiVersions, 0, {})).errorCode).toBe(ErrorCode.NONE);
    good.close();
  });

  it("closes connections sending a negative size, a garbage header or a truncated body", async () => {
    const negative = await TestClient.connect(tb.broker.port);
    negative.writeRaw(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
    await negative.closed;

    const garbage = await TestClient.connect(tb.broker.port);
    garbage.writeRaw(frameOf(Buffer.from([0x12, 0x34, 0x56])));
    await garbage.closed;

    const unknownApi = await TestClient.connect(tb.broker.port);
    unknownApi.writeRaw(frameOf(Buffer.from([0x03, 0xe7, 0, 0, 0, 0, 0, 1, 0xff, 0xff])));
    await unknownApi.closed;

    const truncated = await TestClient.connect(tb.broker.port);
    const full = encodeRequest(
      { apiKey: ApiKey.Metadata, apiVersion: 1, correlationId: 5, clientId: "t" },
      { topics: [{ name: "some-topic" }] },
    );
    // Keep the header, cut the body short, and fix up the size prefix so the frame itself is complete.
    const cut = full.subarray(4, full.length - 3);
    truncated.writeRaw(frameOf(cut));
    await truncated.closed;

    const good = await TestClient.connect(tb.broker.port);
    expect((await good.request(ApiKey.ApiVersions, 0, {})).errorCode).toBe(ErrorCode.NONE);
    good.close();
  });

  it("counts requests and bytes in metrics", async () => {
    const c = await TestClient.connect(tb.broker.port);
    await c.request(ApiKey.ApiVersions, 1, {});
    c.close();
    const m = tb.broker.state.metrics.snapshot();
    expect(m.kafka_requests_ApiVersions_total).toBeGreaterThan(0);
    expect(m.kafka_bytes_in_total).toBeGreaterThan(0);
    expect(m.kafka_bytes_out_total).toBeGreaterThan(0);
    expect(m.kafka_malformed_frames_total).toBeGreaterThanOrEqual(5);
  });
});

describe("listeners", () => {
  it("binds every listen host on the one port the first host got (skipping a missing ::1)", async () => {
    const dual = await startTestBroker({ listenHosts: ["127.0.0.1", "::1"], port: 0 });
    try {
      expect(dual.broker.addresses[0]).toBe(`127.0.0.1:${dual.broker.port}`);
      for (const address of dual.broker.addresses)
        expect(address.endsWith(`:${dual.broker.port}`)).toBe(true);
      if (dual.broker.addresses.length > 1) {
        const v6 = await TestClient.connect(dual.broker.port, "::1");
        expect((await v6.request(ApiKey.ApiVersions, 0, {})).errorCode).toBe(ErrorCode.NONE);
        v6.close();
      }
    } finally {
      await dual.stop();
    }
  });

  it("keeps the cluster id and the data across a restart", async () => {
    const first = await startTestBroker();
    const clusterId = first.broker.state.clusterId;
    await first.broker.state.logs.createTopic("kept", 2, {});
    await first.broker.close();
    const second = await startTestBroker({ dataDir: first.dataDir });
    try {
      expect(second.broker.state.clusterId).toBe(clusterId);
      expect(second.broker.state.logs.topic("kept")?.partitions).toBe(2);
    } finally {
      await second.stop();
    }
  });
});

describe("flow control and failures", () => {
  it("pauses reading past the in-flight limit and still answers everything in order", async () => {
    const c = await TestClient.connect(tb.broker.port);
    await c.request(ApiKey.Metadata, 9, { topics: [{ name: "flow" }], allowAutoTopicCreation: true });
    const waitMs = 100;
    const fetchAtEnd = {
      replicaId: -1,
      maxWaitMs: waitMs,
      minBytes: 1,
      maxBytes: 1000,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: "flow",
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0n,
              logStartOffset: -1n,
              partitionMaxBytes: 1000,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: "",
    };
    const started = Date.now();
    const fetches = [];
    for (let i = 0; i < limits.connectionInflightRequestsMax + 10; i++)
      fetches.push(c.request(ApiKey.Fetch, 11, fetchAtEnd));
    const last = c.request(ApiKey.ApiVersions, 0, {});
    await Promise.all([...fetches, last]);
    // The requests past the limit were read only after the first long polls ended: two rounds of waiting.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * waitMs - 20);
    expect(c.arrivals).toEqual(Array.from({ length: fetches.length + 2 }, (_, i) => i + 1));
    c.close();
  });

  it("closes the connection when a handler throws, and keeps serving others", async () => {
    const throwing: HandlerModule = {
      apiKey: ApiKey.ApiVersions,
      minVersion: 0,
      maxVersion: 3,
      handle: async () => {
        throw new Error("boom");
      },
    };
    const server = await KafkaServer.listen(
      ["127.0.0.1"],
      0,
      tb.broker.state,
      new Map([[ApiKey.ApiVersions, throwing]]),
    );
    try {
      const c = await TestClient.connect(server.port);
      await expect(c.request(ApiKey.ApiVersions, 0, {})).rejects.toThrow(/closed/);
      const good = await TestClient.connect(tb.broker.port);
      expect((await good.request(ApiKey.ApiVersions, 0, {})).errorCode).toBe(ErrorCode.NONE);
      good.close();
    } finally {
      await server.close();
    }
  });
});
