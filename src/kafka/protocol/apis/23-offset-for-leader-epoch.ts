// OffsetForLeaderEpoch (API key 23), versions 0-4: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's OffsetForLeaderEpochRequest/OffsetForLeaderEpochResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const offsetForLeaderEpochApi: ApiSchema = {
  apiKey: 23,
  name: "OffsetForLeaderEpoch",
  minVersion: 0,
  maxVersion: 4,
  flexibleVersions: "4+",
  request: [
    { name: "replicaId", type: "int32", versions: "3+", default: -2 },
    {
      name: "topics",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "topic", type: "string", versions: "0+" },
        {
          name: "partitions",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "partition", type: "int32", versions: "0+" },
            { name: "currentLeaderEpoch", type: "int32", versions: "2+", default: -1 },
            { name: "leaderEpoch", type: "int32", versions: "0+" },
          ],
        },
      ],
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "2+" },
    {
      name: "topics",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "topic", type: "string", versions: "0+" },
        {
          name: "partitions",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "errorCode", type: "int16", versions: "0+" },
            { name: "partition", type: "int32", versions: "0+" },
            { name: "leaderEpoch", type: "int32", versions: "1+", default: -1 },
            { name: "endOffset", type: "int64", versions: "0+", default: -1n },
          ],
        },
      ],
    },
  ],
};
