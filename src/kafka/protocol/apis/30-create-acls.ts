// CreateAcls (API key 30), versions 0-3: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's CreateAclsRequest/CreateAclsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const createAclsApi: ApiSchema = {
  apiKey: 30,
  name: "CreateAcls",
  minVersion: 0,
  maxVersion: 3,
  flexibleVersions: "2+",
  request: [
    {
      name: "creations",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "resourceType", type: "int8", versions: "0+" },
        { name: "resourceName", type: "string", versions: "0+" },
        // v0 predates pattern types: its bindings are LITERAL (3).
        { name: "resourcePatternType", type: "int8", versions: "1+", default: 3 },
        { name: "principal", type: "string", versions: "0+" },
        { name: "host", type: "string", versions: "0+" },
        { name: "operation", type: "int8", versions: "0+" },
        { name: "permissionType", type: "int8", versions: "0+" },
      ],
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "0+" },
    {
      name: "results",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "errorCode", type: "int16", versions: "0+" },
        { name: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      ],
    },
  ],
};
