// CreatePartitions (API key 37), versions 0-3: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's CreatePartitionsRequest/CreatePartitionsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const createPartitionsApi: ApiSchema = {
  apiKey: 37,
  name: "CreatePartitions",
  minVersion: 0,
  maxVersion: 3,
  flexibleVersions: "2+",
  request: [
    {
      name: "topics",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+" },
        { name: "count", type: "int32", versions: "0+" },
        {
          name: "assignments",
          type: "[]struct",
          versions: "0+",
          nullableVersions: "0+",
          fields: [{ name: "brokerIds", type: "[]int32", versions: "0+" }],
        },
      ],
    },
    { name: "timeoutMs", type: "int32", versions: "0+" },
    { name: "validateOnly", type: "bool", versions: "0+" },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "0+" },
    {
      name: "results",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+" },
        { name: "errorCode", type: "int16", versions: "0+" },
        { name: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+", default: null },
      ],
    },
  ],
};
