// CreateTopics (API key 19), versions 0-5: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's CreateTopicsRequest/CreateTopicsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const createTopicsApi: ApiSchema = {
  apiKey: 19,
  name: "CreateTopics",
  minVersion: 0,
  maxVersion: 5,
  flexibleVersions: "5+",
  request: [
    {
      name: "topics",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+" },
        { name: "numPartitions", type: "int32", versions: "0+" },
        { name: "replicationFactor", type: "int16", versions: "0+" },
        {
          name: "assignments",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "partitionIndex", type: "int32", versions: "0+" },
            { name: "brokerIds", type: "[]int32", versions: "0+" },
          ],
        },
        {
          name: "configs",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "name", type: "string", versions: "0+" },
            { name: "value", type: "string", versions: "0+", nullableVersions: "0+" },
          ],
        },
      ],
    },
    { name: "timeoutMs", type: "int32", versions: "0+", default: 60000 },
    { name: "validateOnly", type: "bool", versions: "1+", default: false },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "2+" },
    {
      name: "topics",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+" },
        { name: "errorCode", type: "int16", versions: "0+" },
        { name: "errorMessage", type: "string", versions: "1+", nullableVersions: "0+" },
        { name: "topicConfigErrorCode", type: "int16", versions: "5+", tag: 0, taggedVersions: "5+" },
        { name: "numPartitions", type: "int32", versions: "5+", default: -1 },
        { name: "replicationFactor", type: "int16", versions: "5+", default: -1 },
        {
          name: "configs",
          type: "[]struct",
          versions: "5+",
          nullableVersions: "5+",
          fields: [
            { name: "name", type: "string", versions: "5+" },
            { name: "value", type: "string", versions: "5+", nullableVersions: "5+" },
            { name: "readOnly", type: "bool", versions: "5+" },
            { name: "configSource", type: "int8", versions: "5+", default: -1 },
            { name: "isSensitive", type: "bool", versions: "5+" },
          ],
        },
      ],
    },
  ],
};
