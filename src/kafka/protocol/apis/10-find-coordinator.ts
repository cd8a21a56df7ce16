// FindCoordinator (API key 10), versions 0-3: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's FindCoordinatorRequest/FindCoordinatorResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const findCoordinatorApi: ApiSchema = {
  apiKey: 10,
  name: "FindCoordinator",
  minVersion: 0,
  maxVersion: 3,
  flexibleVersions: "3+",
  request: [
    { name: "key", type: "string", versions: "0-3" },
    { name: "keyType", type: "int8", versions: "1+", default: 0 },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "1+" },
    { name: "errorCode", type: "int16", versions: "0-3" },
    { name: "errorMessage", type: "string", versions: "1-3", nullableVersions: "1-3" },
    { name: "nodeId", type: "int32", versions: "0-3" },
    { name: "host", type: "string", versions: "0-3" },
    { name: "port", type: "int32", versions: "0-3" },
  ],
};
