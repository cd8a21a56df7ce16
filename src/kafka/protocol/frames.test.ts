import { describe, expect, it } from "vitest";
import {
  ApiKey,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  ErrorCode,
  encodeApiVersionsFallback,
  encodeRequest,
  encodeResponse,
  KafkaError,
  ProtocolError,
  supportedApis,
} from "./index.js";

/** Hex with spaces for readability → bytes. */
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const joined = (chunks: Buffer[]): Buffer => Buffer.concat(chunks);
const header = (apiKey: number, apiVersion: number, correlationId = 1, clientId: string | null = "c") => ({
  apiKey,
  apiVersion,
  correlationId,
  clientId,
});

describe("golden bytes: ApiVersions", () => {
  it("v0 request is the bare v1 header", () => {
    const bytes = encodeRequest(header(ApiKey.ApiVersions, 0), {});
    expect(bytes).toEqual(hex("0000000b 0012 0000 00000001 0001 63"));
    expect(decodeRequest(bytes.subarray(4))).toEqual({
      header: header(18, 0),
      body: {
        clientSoftwareName: "",
        clientSoftwareVersion: "",
      },
    });
  });

  it("v3 request has header v2 and compact client software fields", () => {
    const body = { clientSoftwareName: "ab", clientSoftwareVersion: "1" };
    const bytes = encodeRequest(header(ApiKey.ApiVersions, 3), body);
    expect(bytes).toEqual(hex("00000012 0012 0003 00000001 0001 63 00 03 6162 02 31 00"));
    expect(decodeRequest(bytes.subarray(4)).body).toEqual(body);
  });

  it("v0 response", () => {
    const body = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] };
    const bytes = joined(encodeResponse(header(18, 0), body));
    expect(bytes).toEqual(hex("00000010 00000001 0000 00000001 0012 0000 0003"));
  });

  it("v3 response keeps the v0 header and writes only non-default tagged fields", () => {
    const body = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 };
    const bytes = joined(encodeResponse(header(18, 3), body));
    expect(bytes).toEqual(hex("00000013 00000001 0000 02 0012 0000 0003 00 00000000 00"));
    const tagged = joined(encodeResponse(header(18, 3), { ...body, zkMigrationReady: true }));
    expect(tagged).toEqual(hex("00000016 00000001 0000 02 0012 0000 0003 00 00000000 01 03 01 01"));
    const decoded = decodeResponse(18, 3, tagged.subarray(4));
    expect(decoded.correlationId).toBe(1);
    expect(decoded.body.zkMigrationReady).toBe(true);
    expect(decoded.body.finalizedFeaturesEpoch).toBe(-1n);
  });

  it("fallback for an unsupported version is a v0 response with error 35 and every supported range", () => {
    const bytes = joined(encodeApiVersionsFallback(42));
    expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
    const { correlationId, body } = decodeResponse(18, 0, bytes.subarray(4));
    expect(correlationId).toBe(42);
    expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(body.apiKeys).toHaveLength(supportedApis.size);
    expect(body.apiKeys).toContainEqual({ apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 9 });
    expect(body.apiKeys).toContainEqual({ apiKey: ApiKey.Fetch, minVersion: 2, maxVersion: 12 });
  });
});

describe("golden bytes: Metadata", () => {
  const v0Response = {
    brokers: [{ nodeId: 1, host: "h", port: 9092 }],
    topics: [
      {
        errorCode: 0,
        name: "t",
        partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }],
      },
    ],
  };

  it("v0 request with a null client id", () => {
    const bytes = encodeRequest(header(ApiKey.Metadata, 0, 7, null), { topics: [{ name: "t" }] });
    expect(bytes).toEqual(hex("00000011 0003 0000 00000007 ffff 00000001 0001 74"));
    const { header: h, body } = decodeRequest(bytes.subarray(4));
    expect(h).toEqual(header(3, 0, 7, null));
    expect(body.topics).toEqual([{ name: "t" }]);
    expect(body.allowAutoTopicCreation).toBe(true);
  });

  it("v0 response", () => {
    const bytes = joined(encodeResponse(header(3, 0, 7), v0Response));
    const expected = hex(
      "00000007 00000001 00000001 0001 68 00002384 00000001 0000 0001 74" +
        "00000001 0000 00000000 00000001 00000001 00000001 00000001 00000001",
    );
    expect(bytes.subarray(4)).toEqual(expected);
    expect(bytes.readInt32BE(0)).toBe(expected.length);
  });

  it("v9 request is flexible", () => {
    const body = { topics: [{ name: "t" }], allowAutoTopicCreation: true };
    const bytes = encodeRequest(header(ApiKey.Metadata, 9, 7), body);
    expect(bytes.subarray(4)).toEqual(hex("0003 0009 00000007 0001 63 00 02 02 74 00 01 00 00 00"));
  });

  it("v9 response has header v1, compact fields and defaults filled in", () => {
    const body = {
      ...v0Response,
      clusterId: "c",
      controllerId: 1,
      topics: [
        { ...v0Response.topics[0], partitions: [{ ...v0Response.topics[0]!.partitions[0], leaderEpoch: 5 }] },
      ],
    };
    const bytes = joined(encodeResponse(header(3, 9, 7), body));
    const expected = hex(
      "00000007 00 00000000 02 00000001 02 68 00002384 00 00 02 63 00000001" +
        "02 0000 02 74 00 02 0000 00000000 00000001 00000005 02 00000001 02 00000001 01 00" +
        "80000000 00 80000000 00",
    );
    expect(bytes.subarray(4)).toEqual(expected);
    const decoded = decodeResponse(3, 9, bytes.subarray(4)).body;
    expect(decoded.brokers[0].rack).toBeNull();
    expect(decoded.topics[0].partitions[0].offlineReplicas).toEqual([]);
  });

  it("rejects a null topic array in v0, where it is not nullable", () => {
    const frame = hex("0003 0000 00000007 ffff ffffffff");
    expect(() => decodeRequest(frame)).toThrow(ProtocolError);
  });
});

describe("golden bytes: Produce v3", () => {
  it("request with records kept as a zero-copy view of the frame", () => {
    const records = hex("aabbcc");
    const body = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: "t", partitionData: [{ index: 0, records }] }],
    };
    const bytes = encodeRequest(header(ApiKey.Produce, 3), body);
    const expected = hex(
      "0000 0003 00000001 0001 63 ffff ffff 00007530 00000001 0001 74 00000001 00000000 00000003 aabbcc",
    );
    expect(bytes.subarray(4)).toEqual(expected);
    const frame = bytes.subarray(4);
    const decoded = decodeRequest(frame).body;
    expect(decoded).toEqual(body);
    const decodedRecords: Buffer = decoded.topicData[0].partitionData[0].records;
    expect(decodedRecords.buffer).toBe(frame.buffer);
    expect(decodedRecords.byteOffset).toBe(frame.byteOffset + frame.length - 3);
  });
});

describe("headers", () => {
  it("decodeRequestHeader reads the header even for unknown APIs", () => {
    const frame = hex("03e7 0005 0000000a 0002 7879 0102");
    expect(decodeRequestHeader(frame)).toEqual({
      apiKey: 999,
      apiVersion: 5,
      correlationId: 10,
      clientId: "xy",
    });
    expect(() => decodeRequest(frame)).toThrow(KafkaError);
    try {
      decodeRequest(frame);
    } catch (err) {
      expect((err as KafkaError).code).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(err).not.toBeInstanceOf(ProtocolError);
    }
  });

  it("rejects supported APIs at unsupported versions with UNSUPPORTED_VERSION", () => {
    const frame = encodeRequest(header(ApiKey.ApiVersions, 3), {}).subarray(4);
    frame.writeInt16BE(4, 2);
    expect(() => decodeRequest(frame)).toThrow(expect.objectContaining({ code: 35 }));
    frame.writeInt16BE(ApiKey.Fetch, 0);
    frame.writeInt16BE(1, 2);
    expect(() => decodeRequest(frame)).toThrow(expect.objectContaining({ code: 35 }));
  });

  it("skips tagged fields in request header v2", () => {
    // ApiVersions v3 with two unknown header tags (0 → 2 bytes, 5 → 1 byte).
    const frame = hex("0012 0003 00000009 0001 63 02 00 02 abcd 05 01 ff 03 6162 02 31 00");
    const { header: h, body } = decodeRequest(frame);
    expect(h).toEqual(header(18, 3, 9));
    expect(body).toEqual({ clientSoftwareName: "ab", clientSoftwareVersion: "1" });
  });

  it("skips unknown tagged fields in bodies and nested structs", () => {
    // Metadata v9 request: the topic struct carries unknown tag 7, the body unknown tag 9.
    const frame = hex("0003 0009 00000007 0001 63 00 02 02 74 01 07 02 aaaa 01 00 00 01 09 00");
    const body = decodeRequest(frame).body;
    expect(body.topics).toEqual([{ name: "t" }]);
    expect(body.allowAutoTopicCreation).toBe(true);
  });

  it("rejects a truncated header with ProtocolError", () => {
    expect(() => decodeRequestHeader(hex("0012 00"))).toThrow(ProtocolError);
    expect(() => decodeRequestHeader(hex("0012 0003 00000009 0005 63"))).toThrow(ProtocolError);
  });
});

describe("records passthrough", () => {
  it("a Fetch response splices Buffer[] records into the chunks by reference", () => {
    const batchA = Buffer.alloc(100, 1);
    const batchB = Buffer.alloc(50, 2);
    const body = {
      responses: [
        {
          topic: "t",
          partitions: [{ partitionIndex: 0, highWatermark: 10n, records: [batchA, batchB] }],
        },
      ],
    };
    for (const version of [4, 11, 12]) {
      const chunks = encodeResponse(header(ApiKey.Fetch, version), body);
      expect(chunks).toContain(batchA);
      expect(chunks).toContain(batchB);
      const frame = Buffer.concat(chunks);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const decoded = decodeResponse(ApiKey.Fetch, version, frame.subarray(4)).body;
      const partition = decoded.responses[0].partitions[0];
      expect(partition.records).toEqual(Buffer.concat([batchA, batchB]));
      expect(partition.highWatermark).toBe(10n);
      expect(partition.lastStableOffset).toBe(-1n);
      expect(partition.abortedTransactions).toEqual([]);
    }
  });
});
