// DeleteRecords (API key 21), versions 0-2: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's DeleteRecordsRequest/DeleteRecordsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const deleteRecordsApi: ApiSchema = {
  apiKey: 21,
  name: "DeleteRecords",
  minVersion: 0,
  maxVersion: 2,
  flexibleVersions: "2+",
  request: [
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
            { name: "offset", type: "int64", versions: "0+" },
          ],
        },
      ],
    },
    { name: "timeoutMs", type: "int32", versions: "0+" },
  ],
  response: [
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
            { name: "lowWatermark", type: "int64", versions: "0+" },
            { name: "errorCode", type: "int16", versions: "0+" },
          ],
        },
      ],
    },
  ],
};
