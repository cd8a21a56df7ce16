// Over a real socket: CreateTopics/CreatePartitions with manual assignments, dynamic broker configs
// (AlterConfigs, IncrementalAlterConfigs, DescribeConfigs) and the ACL APIs, including persistence across a restart.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../../common/logger.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import { startBroker } from "../index.js";
import { startTestBroker, type TestBroker } from "../test-broker.js";
import { TestClient } from "../test-client.js";

let tb: TestBroker;
let client: TestClient;
beforeAll(async () => {
  tb = await startTestBroker({ numPartitions: 1 });
  client = await TestClient.connect(tb.broker.port);
});
afterAll(async () => {
  client.close();
  await tb.stop();
});

function createTopic(name: string, over: object) {
  return client.request(ApiKey.CreateTopics, 5, {
    topics: [{ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], ...over }],
    timeoutMs: 1000,
    validateOnly: false,
  });
}

async function partitionCount(topic: string): Promise<number> {
  const md = await client.request(ApiKey.Metadata, 9, {
    topics: [{ name: topic }],
    allowAutoTopicCreation: false,
  });
  return md.topics[0].partitions.length;
}

describe("manual replica assignments", () => {
  it("accepts every partition on broker 0 alone, and refuses other brokers, extra replicas and counts", async () => {
    const ok = await createTopic("as-ok", {
      assignments: [0, 1, 2].map((p) => ({ partitionIndex: p, brokerIds: [0] })),
    });
    expect(ok.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 3, replicationFactor: 1 });
    expect(await partitionCount("as-ok")).toBe(3);

    const cases: [string, object, number, RegExp][] = [
      [
        "as-b1",
        { assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        /unknown broker/,
      ],
      [
        "as-two",
        { assignments: [{ partitionIndex: 0, brokerIds: [0, 0] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        /1/,
      ],
      [
        "as-gap",
        { assignments: [{ partitionIndex: 1, brokerIds: [0] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        /0, 1, 2/,
      ],
      [
        "as-np",
        { numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [0] }] },
        ErrorCode.INVALID_REQUEST,
        /-1/,
      ],
    ];
    for (const [name, over, code, message] of cases) {
      const res = await createTopic(name, over);
      expect(res.topics[0].errorCode, name).toBe(code);
      expect(res.topics[0].errorMessage, name).toMatch(message);
    }
  });

  it("CreatePartitions takes one single-replica assignment on broker 0 per new partition", async () => {
    await createTopic("cp-as", { numPartitions: 1 });
    const grow = (count: number, assignments: { brokerIds: number[] }[] | null) =>
      client.request(ApiKey.CreatePartitions, 3, {
        topics: [{ name: "cp-as", count, assignments }],
        timeoutMs: 1000,
        validateOnly: false,
      });
    expect((await grow(3, [{ brokerIds: [0] }, { brokerIds: [0] }])).results[0].errorCode).toBe(
      ErrorCode.NONE,
    );
    expect(await partitionCount("cp-as")).toBe(3);
    expect((await grow(4, [{ brokerIds: [0] }, { brokerIds: [0] }])).results[0].errorCode).toBe(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    );
    expect((await grow(4, [{ brokerIds: [2] }])).results[0].errorCode).toBe(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    );
    expect(await partitionCount("cp-as")).toBe(3);
  });
});

function describeBroker(c: TestClient, name: string, keys: string[] | null = null) {
  return c
    .request(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: 4, resourceName: name, configurationKeys: keys }],
      includeSynonyms: true,
      includeDocumentation: false,
    })
    .then((r) => r.results[0]);
}

describe("dynamic broker configs", () => {
  it("stores AlterConfigs on broker 0 and the cluster default, and refuses other broker ids", async () => {
    const res = await client.request(ApiKey.AlterConfigs, 1, {
      resources: [
        {
          resourceType: 4,
          resourceName: "0",
          configs: [{ name: "sasl.kerberos.min.time.before.relogin", value: "58000" }],
        },
        { resourceType: 4, resourceName: "", configs: [{ name: "log.retention.ms", value: "1000" }] },
        { resourceType: 4, resourceName: "7", configs: [{ name: "x.y", value: "1" }] },
        { resourceType: 4, resourceName: "0", configs: [{ name: "broker.id", value: "3" }] },
      ],
      validateOnly: false,
    });
    expect(res.responses.map((r: { errorCode: number }) => r.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.NONE,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_CONFIG,
    ]);
    expect(res.responses[2].errorMessage).toMatch(/Unexpected broker id/);

    const own = await describeBroker(client, "0");
    expect(own.errorCode).toBe(ErrorCode.NONE);
    const byName = new Map(own.configs.map((c: { name: string }) => [c.name, c]));
    expect(byName.get("sasl.kerberos.min.time.before.relogin")).toMatchObject({
      value: "58000",
      configSource: 2,
    });
    expect(byName.get("log.retention.ms")).toMatchObject({ value: "1000", configSource: 3 });
    expect(byName.get("num.partitions")).toMatchObject({ value: "1", configSource: 4 });
    expect(byName.get("broker.id")).toMatchObject({ readOnly: true });

    const cluster = await describeBroker(client, "");
    expect(cluster.configs).toEqual([expect.objectContaining({ name: "log.retention.ms", configSource: 3 })]);
    expect((await describeBroker(client, "5")).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it("applies IncrementalAlterConfigs to the broker's map and makes message.max.bytes effective", async () => {
    const inc = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 4,
          resourceName: "0",
          configs: [
            { name: "message.max.bytes", configOperation: 0, value: "2000" },
            { name: "sasl.kerberos.min.time.before.relogin", configOperation: 1, value: null },
          ],
        },
      ],
      validateOnly: false,
    });
    expect(inc.responses[0].errorCode).toBe(ErrorCode.NONE);
    const own = await describeBroker(client, "0", [
      "message.max.bytes",
      "sasl.kerberos.min.time.before.relogin",
    ]);
    expect(own.configs).toHaveLength(1);
    expect(own.configs[0]).toMatchObject({ value: "2000", configSource: 2 });
    expect(own.configs[0].synonyms.map((s: { source: number }) => s.source)).toEqual([2, 4]);
    expect(tb.broker.state.dynamicConfigs.effective("message.max.bytes")).toBe("2000");

    const bad = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 4,
          resourceName: "0",
          configs: [{ name: "message.max.bytes", configOperation: 0, value: "-5" }],
        },
      ],
      validateOnly: false,
    });
    expect(bad.responses[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);
    // Put the limit back so the rest of the file is unaffected.
    await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 4,
          resourceName: "0",
          configs: [{ name: "message.max.bytes", configOperation: 1, value: null }],
        },
      ],
      validateOnly: false,
    });
    expect(tb.broker.state.dynamicConfigs.effective("message.max.bytes")).toBeUndefined();
  });
});

const topicAcl = (name: string, patternType: number, principal: string, operation: number) => ({
  resourceType: 2,
  resourceName: name,
  resourcePatternType: patternType,
  principal,
  host: "*",
  operation,
  permissionType: 3,
});

describe("ACL APIs", () => {
  it("creates, describes with LITERAL/MATCH filters, deletes, and refuses invalid bindings", async () => {
    const created = await client.request(ApiKey.CreateAcls, 1, {
      creations: [
        topicAcl("acl-t_1", 4, "User:test1", 3),
        topicAcl("acl-t_1", 3, "User:test2", 4),
        topicAcl("acl-t_2", 3, "User:test2", 4),
        topicAcl("acl-t_3", 2, "User:test2", 4),
        { ...topicAcl("acl-t_3", 3, "User:test2", 4), resourceType: 1 },
        topicAcl("acl-t_3", 3, "nobody", 4),
      ],
    });
    expect(created.results.map((r: { errorCode: number }) => r.errorCode)).toEqual([
      0,
      0,
      0,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);

    const match = await client.request(ApiKey.DescribeAcls, 1, {
      resourceTypeFilter: 2,
      resourceNameFilter: "acl-t_1",
      patternTypeFilter: 2,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    expect(match.errorCode).toBe(0);
    expect(match.resources).toHaveLength(2);
    expect(match.resources).toContainEqual({
      resourceType: 2,
      resourceName: "acl-t_1",
      patternType: 4,
      acls: [{ principal: "User:test1", host: "*", operation: 3, permissionType: 3 }],
    });

    // v0 has no pattern type: its filter is LITERAL, so the PREFIXED binding is not reported.
    const v0 = await client.request(ApiKey.DescribeAcls, 0, {
      resourceTypeFilter: 2,
      resourceNameFilter: "acl-t_1",
      principalFilter: null,
      hostFilter: null,
      operation: 4,
      permissionType: 1,
    });
    expect(v0.resources).toEqual([
      expect.objectContaining({
        resourceName: "acl-t_1",
        acls: [expect.objectContaining({ principal: "User:test2" })],
      }),
    ]);

    const badFilter = await client.request(ApiKey.DescribeAcls, 2, {
      resourceTypeFilter: 2,
      resourceNameFilter: null,
      patternTypeFilter: 0,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    expect(badFilter.errorCode).toBe(ErrorCode.INVALID_REQUEST);

    const deleted = await client.request(ApiKey.DeleteAcls, 2, {
      filters: [
        {
          resourceTypeFilter: 2,
          resourceNameFilter: "acl-t_1",
          patternTypeFilter: 2,
          principalFilter: null,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        },
        {
          resourceTypeFilter: 2,
          resourceNameFilter: null,
          patternTypeFilter: 0,
          principalFilter: null,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        },
      ],
    });
    expect(deleted.filterResults[0].errorCode).toBe(0);
    expect(
      deleted.filterResults[0].matchingAcls.map((a: { principal: string }) => a.principal).sort(),
    ).toEqual(["User:test1", "User:test2"]);
    expect(deleted.filterResults[1].errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(tb.broker.state.acls.size).toBe(1);
  });
});

describe("persistence", () => {
  it("keeps ACLs and dynamic broker configs across a restart", async () => {
    const dataDir = tb.dataDir;
    await client.request(ApiKey.AlterConfigs, 0, {
      resources: [{ resourceType: 4, resourceName: "0", configs: [{ name: "some.setting", value: "v" }] }],
      validateOnly: false,
    });
    client.close();
    await tb.broker.close();
    const restarted = await startBroker({
      listenHosts: ["127.0.0.1"],
      port: 0,
      logger: silentLogger,
      dataDir,
    });
    tb = { ...tb, broker: restarted };
    client = await TestClient.connect(restarted.port);
    const own = await describeBroker(client, "0", ["some.setting"]);
    expect(own.configs[0]).toMatchObject({ value: "v", configSource: 2 });
    const all = await client.request(ApiKey.DescribeAcls, 3, {
      resourceTypeFilter: 1,
      resourceNameFilter: null,
      patternTypeFilter: 1,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    expect(all.resources).toEqual([expect.objectContaining({ resourceName: "acl-t_2", patternType: 3 })]);
  });
});
