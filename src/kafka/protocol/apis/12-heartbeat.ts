// Heartbeat (API key 12), versions 0-4: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's HeartbeatRequest/HeartbeatResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const heartbeatApi: ApiSchema = {
  apiKey: 12,
  name: "Heartbeat",
  minVersion: 0,
  maxVersion: 4,
  flexibleVersions: "4+",
  request: [
    { name: "groupId", type: "string", versions: "0+" },
    { name: "generationId", type: "int32", versions: "0+" },
    { name: "memberId", type: "string", versions: "0+" },
    { name: "groupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: null },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "1+" },
    { name: "errorCode", type: "int16", versions: "0+" },
  ],
};
