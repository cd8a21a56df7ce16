// OffsetFetch (API key 9), versions 1-8: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's OffsetFetchRequest/OffsetFetchResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const offsetFetchApi: ApiSchema = {
  apiKey: 9,
  name: "OffsetFetch",
  minVersion: 1,
  maxVersion: 8,
  flexibleVersions: "6+",
  request: [
    { name: "groupId", type: "string", versions: "0-7" },
    {
      name: "topics",
      type: "[]struct",
      versions: "0-7",
      nullableVersions: "2-7",
      fields: [
        { name: "name", type: "string", versions: "0-7" },
        { name: "partitionIndexes", type: "[]int32", versions: "0-7" },
      ],
    },
    {
      name: "groups",
      type: "[]struct",
      versions: "8+",
      fields: [
        { name: "groupId", type: "string", versions: "8+" },
        {
          name: "topics",
          type: "[]struct",
          versions: "8+",
          nullableVersions: "8+",
          fields: [
            { name: "name", type: "string", versions: "8+" },
            { name: "partitionIndexes", type: "[]int32", versions: "8+" },
          ],
        },
      ],
    },
    { name: "requireStable", type: "bool", versions: "7+", default: false },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "3+" },
    {
      name: "topics",
      type: "[]struct",
      versions: "0-7",
      fields: [
        { name: "name", type: "string", versions: "0-7" },
        {
          name: "partitions",
          type: "[]struct",
          versions: "0-7",
          fields: [
            { name: "partitionIndex", type: "int32", versions: "0-7" },
            { name: "committedOffset", type: "int64", versions: "0-7" },
            { name: "committedLeaderEpoch", type: "int32", versions: "5-7", default: -1 },
            { name: "metadata", type: "string", versions: "0-7", nullableVersions: "0-7" },
            { name: "errorCode", type: "int16", versions: "0-7" },
          ],
        },
      ],
    },
    { name: "errorCode", type: "int16", versions: "2-7", default: 0 },
    {
      name: "groups",
      type: "[]struct",
      versions: "8+",
      fields: [
        { name: "groupId", type: "string", versions: "8+" },
        {
          name: "topics",
          type: "[]struct",
          versions: "8+",
          fields: [
            { name: "name", type: "string", versions: "8+" },
            {
              name: "partitions",
              type: "[]struct",
              versions: "8+",
              fields: [
                { name: "partitionIndex", type: "int32", versions: "8+" },
                { name: "committedOffset", type: "int64", versions: "8+" },
                { name: "committedLeaderEpoch", type: "int32", versions: "8+", default: -1 },
                { name: "metadata", type: "string", versions: "8+", nullableVersions: "8+" },
                { name: "errorCode", type: "int16", versions: "8+" },
              ],
            },
          ],
        },
        { name: "errorCode", type: "int16", versions: "8+", default: 0 },
      ],
    },
  ],
};
