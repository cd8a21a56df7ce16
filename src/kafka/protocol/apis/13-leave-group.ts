// LeaveGroup (API key 13), versions 0-4: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's LeaveGroupRequest/LeaveGroupResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const leaveGroupApi: ApiSchema = {
  apiKey: 13,
  name: "LeaveGroup",
  minVersion: 0,
  maxVersion: 4,
  flexibleVersions: "4+",
  request: [
    { name: "groupId", type: "string", versions: "0+" },
    { name: "memberId", type: "string", versions: "0-2" },
    {
      name: "members",
      type: "[]struct",
      versions: "3+",
      fields: [
        { name: "memberId", type: "string", versions: "3+" },
        { name: "groupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: null },
      ],
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "1+" },
    { name: "errorCode", type: "int16", versions: "0+" },
    {
      name: "members",
      type: "[]struct",
      versions: "3+",
      fields: [
        { name: "memberId", type: "string", versions: "3+" },
        { name: "groupInstanceId", type: "string", versions: "3+", nullableVersions: "3+" },
        { name: "errorCode", type: "int16", versions: "3+" },
      ],
    },
  ],
};
