// OffsetDelete (API key 47), versions 0-0: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's OffsetDeleteRequest/OffsetDeleteResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const offsetDeleteApi: ApiSchema = {
  apiKey: 47,
  name: "OffsetDelete",
  minVersion: 0,
  maxVersion: 0,
  flexibleVersions: "none",
  request: [
    { name: "groupId", type: "string", versions: "0+" },
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
          fields: [{ name: "partitionIndex", type: "int32", versions: "0+" }],
        },
      ],
    },
  ],
  response: [
    { name: "errorCode", type: "int16", versions: "0+" },
    { name: "throttleTimeMs", type: "int32", versions: "0+" },
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
