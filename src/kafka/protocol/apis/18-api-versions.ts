// ApiVersions (API key 18), versions 0-3: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's ApiVersionsRequest/ApiVersionsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const apiVersionsApi: ApiSchema = {
  apiKey: 18,
  name: "ApiVersions",
  minVersion: 0,
  maxVersion: 3,
  flexibleVersions: "3+",
  request: [
    { name: "clientSoftwareName", type: "string", versions: "3+" },
    { name: "clientSoftwareVersion", type: "string", versions: "3+" },
  ],
  response: [
    { name: "errorCode", type: "int16", versions: "0+" },
    {
      name: "apiKeys",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "apiKey", type: "int16", versions: "0+" },
        { name: "minVersion", type: "int16", versions: "0+" },
        { name: "maxVersion", type: "int16", versions: "0+" },
      ],
    },
    { name: "throttleTimeMs", type: "int32", versions: "1+" },
    {
      name: "supportedFeatures",
      type: "[]struct",
      versions: "3+",
      tag: 0,
      taggedVersions: "3+",
      fields: [
        { name: "name", type: "string", versions: "3+" },
        { name: "minVersion", type: "int16", versions: "3+" },
        { name: "maxVersion", type: "int16", versions: "3+" },
      ],
    },
    {
      name: "finalizedFeaturesEpoch",
      type: "int64",
      versions: "3+",
      default: -1n,
      tag: 1,
      taggedVersions: "3+",
    },
    {
      name: "finalizedFeatures",
      type: "[]struct",
      versions: "3+",
      tag: 2,
      taggedVersions: "3+",
      fields: [
        { name: "name", type: "string", versions: "3+" },
        { name: "maxVersionLevel", type: "int16", versions: "3+" },
        { name: "minVersionLevel", type: "int16", versions: "3+" },
      ],
    },
    { name: "zkMigrationReady", type: "bool", versions: "3+", default: false, tag: 3, taggedVersions: "3+" },
  ],
};
