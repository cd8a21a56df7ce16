// ListOffsets (API key 2), versions 1-7: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's ListOffsetsRequest/ListOffsetsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const listOffsetsApi: ApiSchema = {
  apiKey: 2,
  name: "ListOffsets",
  minVersion: 1,
  maxVersion: 7,
  flexibleVersions: "6+",
  request: [
    { name: "replicaId", type: "int32", versions: "0+" },
    { name: "isolationLevel", type: "int8", versions: "2+" },
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
            { name: "currentLeaderEpoch", type: "int32", versions: "4+", default: -1 },
            { name: "timestamp", type: "int64", versions: "0+" },
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
        { name: "name", type: "string", versions: "0+" },
        {
          name: "partitions",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "partitionIndex", type: "int32", versions: "0+" },
            { name: "errorCode", type: "int16", versions: "0+" },
            { name: "timestamp", type: "int64", versions: "1+", default: -1n },
            { name: "offset", type: "int64", versions: "1+", default: -1n },
            { name: "leaderEpoch", type: "int32", versions: "4+", default: -1 },
          ],
        },
      ],
    },
  ],
};
