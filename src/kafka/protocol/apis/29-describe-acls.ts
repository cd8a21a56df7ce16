// DescribeAcls (API key 29), versions 0-3: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's DescribeAclsRequest/DescribeAclsResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const describeAclsApi: ApiSchema = {
  apiKey: 29,
  name: "DescribeAcls",
  minVersion: 0,
  maxVersion: 3,
  flexibleVersions: "2+",
  request: [
    { name: "resourceTypeFilter", type: "int8", versions: "0+" },
    { name: "resourceNameFilter", type: "string", versions: "0+", nullableVersions: "0+" },
    // v0 predates pattern types: its filters are LITERAL (3).
    { name: "patternTypeFilter", type: "int8", versions: "1+", default: 3 },
    { name: "principalFilter", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "hostFilter", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "operation", type: "int8", versions: "0+" },
    { name: "permissionType", type: "int8", versions: "0+" },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "errorCode", type: "int16", versions: "0+" },
    { name: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
    {
      name: "resources",
      type: "[]struct",
      versions: "0+",
      fields: [
        { name: "resourceType", type: "int8", versions: "0+" },
        { name: "resourceName", type: "string", versions: "0+" },
        { name: "patternType", type: "int8", versions: "1+", default: 3 },
        {
          name: "acls",
          type: "[]struct",
          versions: "0+",
          fields: [
            { name: "principal", type: "string", versions: "0+" },
            { name: "host", type: "string", versions: "0+" },
            { name: "operation", type: "int8", versions: "0+" },
            { name: "permissionType", type: "int8", versions: "0+" },
          ],
        },
      ],
    },
  ],
};
