// ListGroups (API key 16), versions 0-4: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's ListGroupsRequest/ListGroupsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const listGroupsApi: ApiSchema = {
  apiKey: 16,
  name: "ListGroups",
  minVersion: 0,
  maxVersion: 4,
  flexibleVersions: "3+",
  request: [{ name: "statesFilter", type: "[]string", versions: "4+" }],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "1+" },
    { name: "errorCode", type: "int16", versions: "0+" },
    {
      name: "groups",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "groupId", type: "string", versions: "0+" },
        { name: "protocolType", type: "string", versions: "0+" },
        { name: "groupState", type: "string", versions: "4+" },
      ],
    },
  ],
};
