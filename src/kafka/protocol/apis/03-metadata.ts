// Metadata (API key 3), versions 0-9: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's MetadataRequest/MetadataResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const metadataApi: ApiSchema = {
  apiKey: 3,
  name: "Metadata",
  minVersion: 0,
  maxVersion: 9,
  flexibleVersions: "9+",
  request: [
    {
      name: "topics",
      type: "[]struct",
      versions: "0+",
      nullableVersions: "1+",
      fields: [{ name: "name", type: "string", versions: "0+", nullableVersions: "10+" }],
    },
    { name: "allowAutoTopicCreation", type: "bool", versions: "4+", default: true },
    { name: "includeClusterAuthorizedOperations", type: "bool", versions: "8-10" },
    { name: "includeTopicAuthorizedOperations", type: "bool", versions: "8+" },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "3+" },
    {
      name: "brokers",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "nodeId", type: "int32", versions: "0+" },
        { name: "host", type: "string", versions: "0+" },
        { name: "port", type: "int32", versions: "0+" },
        { name: "rack", type: "string", versions: "1+", nullableVersions: "1+", default: null },
      ],
    },
    { name: "clusterId", type: "string", versions: "2+", nullableVersions: "2+", default: null },
    { name: "controllerId", type: "int32", versions: "1+", default: -1 },
    {
      name: "topics",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "errorCode", type: "int16", versions: "0+" },
        { name: "name", type: "string", versions: "0+", nullableVersions: "12+" },
        { name: "isInternal", type: "bool", versions: "1+", default: false },
        {
          name: "partitions",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "errorCode", type: "int16", versions: "0+" },
            { name: "partitionIndex", type: "int32", versions: "0+" },
            { name: "leaderId", type: "int32", versions: "0+" },
            { name: "leaderEpoch", type: "int32", versions: "7+", default: -1 },
            { name: "replicaNodes", type: "[]int32", versions: "0+" },
            { name: "isrNodes", type: "[]int32", versions: "0+" },
            { name: "offlineReplicas", type: "[]int32", versions: "5+" },
          ],
        },
        { name: "topicAuthorizedOperations", type: "int32", versions: "8+", default: -2147483648 },
      ],
    },
    { name: "clusterAuthorizedOperations", type: "int32", versions: "8-10", default: -2147483648 },
  ],
};
