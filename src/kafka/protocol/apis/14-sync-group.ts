// SyncGroup (API key 14), versions 0-4: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's SyncGroupRequest/SyncGroupResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const syncGroupApi: ApiSchema = {
  apiKey: 14,
  name: "SyncGroup",
  minVersion: 0,
  maxVersion: 4,
  flexibleVersions: "4+",
  request: [
    { name: "groupId", type: "string", versions: "0+" },
    { name: "generationId", type: "int32", versions: "0+" },
    { name: "memberId", type: "string", versions: "0+" },
    { name: "groupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: null },
    {
      name: "assignments",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "memberId", type: "string", versions: "0+" },
        { name: "assignment", type: "bytes", versions: "0+" },
      ],
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "1+" },
    { name: "errorCode", type: "int16", versions: "0+" },
    { name: "assignment", type: "bytes", versions: "0+" },
  ],
};
