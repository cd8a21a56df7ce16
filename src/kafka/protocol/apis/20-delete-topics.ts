// DeleteTopics (API key 20), versions 0-4: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's DeleteTopicsRequest/DeleteTopicsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const deleteTopicsApi: ApiSchema = {
  apiKey: 20,
  name: "DeleteTopics",
  minVersion: 0,
  maxVersion: 4,
  flexibleVersions: "4+",
  request: [
    { name: "topicNames", type: "[]string", versions: "0-5" },
    { name: "timeoutMs", type: "int32", versions: "0+" },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "1+" },
    {
      name: "responses",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+", nullableVersions: "6+" },
        { name: "errorCode", type: "int16", versions: "0+" },
      ],
    },
  ],
};
