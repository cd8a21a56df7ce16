// IncrementalAlterConfigs (API key 44), versions 0-1: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's IncrementalAlterConfigsRequest/IncrementalAlterConfigsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const incrementalAlterConfigsApi: ApiSchema = {
  apiKey: 44,
  name: "IncrementalAlterConfigs",
  minVersion: 0,
  maxVersion: 1,
  flexibleVersions: "1+",
  request: [
    {
      name: "resources",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "resourceType", type: "int8", versions: "0+" },
        { name: "resourceName", type: "string", versions: "0+" },
        {
          name: "configs",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "name", type: "string", versions: "0+" },
            { name: "configOperation", type: "int8", versions: "0+" },
            { name: "value", type: "string", versions: "0+", nullableVersions: "0+" },
          ],
        },
      ],
    },
    { name: "validateOnly", type: "bool", versions: "0+" },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "0+" },
    {
      name: "responses",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "errorCode", type: "int16", versions: "0+" },
        { name: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "resourceType", type: "int8", versions: "0+" },
        { name: "resourceName", type: "string", versions: "0+" },
      ],
    },
  ],
};
