// OffsetCommit (API key 8), versions 2-8: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's OffsetCommitRequest/OffsetCommitResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const offsetCommitApi: ApiSchema = {
  apiKey: 8,
  name: "OffsetCommit",
  minVersion: 2,
  maxVersion: 8,
  flexibleVersions: "8+",
  request: [
    { name: "groupId", type: "string", versions: "0+" },
    { name: "generationIdOrMemberEpoch", type: "int32", versions: "1+", default: -1 },
    { name: "memberId", type: "string", versions: "1+" },
    { name: "groupInstanceId", type: "string", versions: "7+", nullableVersions: "7+", default: null },
    { name: "retentionTimeMs", type: "int64", versions: "2-4", default: -1n },
    {
      name: "topics",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+" },
        {
          name: "partitions",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "partitionIndex", type: "int32", versions: "0+" },
            { name: "committedOffset", type: "int64", versions: "0+" },
            { name: "committedLeaderEpoch", type: "int32", versions: "6+", default: -1 },
            { name: "committedMetadata", type: "string", versions: "0+", nullableVersions: "0+" },
          ],
        },
      ],
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "3+" },
    {
      name: "topics",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+" },
        {
          name: "partitions",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "partitionIndex", type: "int32", versions: "0+" },
            { name: "errorCode", type: "int16", versions: "0+" },
          ],
        },
      ],
    },
  ],
};
