// DeleteGroups (API key 42), versions 0-2: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's DeleteGroupsRequest/DeleteGroupsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const deleteGroupsApi: ApiSchema = {
  apiKey: 42,
  name: "DeleteGroups",
  minVersion: 0,
  maxVersion: 2,
  flexibleVersions: "2+",
  request: [{ name: "groupsNames", type: "[]string", versions: "0+" }],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "0+" },
    {
      name: "results",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "groupId", type: "string", versions: "0+" },
        { name: "errorCode", type: "int16", versions: "0+" },
      ],
    },
  ],
};
