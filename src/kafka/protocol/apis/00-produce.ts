// Produce (API key 0), versions 3-9: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's ProduceRequest/ProduceResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const produceApi: ApiSchema = {
  apiKey: 0,
  name: "Produce",
  minVersion: 0,
  maxVersion: 9,
  flexibleVersions: "9+",
  request: [
    { name: "transactionalId", type: "string", versions: "3+", nullableVersions: "3+", default: null },
    { name: "acks", type: "int16", versions: "0+" },
    { name: "timeoutMs", type: "int32", versions: "0+" },
    {
      name: "topicData",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+" },
        {
          name: "partitionData",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "index", type: "int32", versions: "0+" },
            { name: "records", type: "records", versions: "0+", nullableVersions: "0+" },
          ],
        },
      ],
    },
  ],
  response: [
    {
      name: "responses",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+" },
        {
          name: "partitionResponses",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "index", type: "int32", versions: "0+" },
            { name: "errorCode", type: "int16", versions: "0+" },
            { name: "baseOffset", type: "int64", versions: "0+" },
            { name: "logAppendTimeMs", type: "int64", versions: "2+", default: -1n },
            { name: "logStartOffset", type: "int64", versions: "5+", default: -1n },
            {
              name: "recordErrors",
              type: "[]struct",
              versions: "8+",
              fields: [
                { name: "batchIndex", type: "int32", versions: "8+" },
                {
                  name: "batchIndexErrorMessage",
                  type: "string",
                  versions: "8+",
                  nullableVersions: "8+",
                  default: null,
                },
              ],
            },
            { name: "errorMessage", type: "string", versions: "8+", nullableVersions: "8+", default: null },
          ],
        },
      ],
    },
    { name: "throttleTimeMs", type: "int32", versions: "1+", default: 0 },
  ],
};
