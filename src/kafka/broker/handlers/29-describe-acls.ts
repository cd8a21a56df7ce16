// DescribeAcls (key 29), versions 0-3: the stored ACL bindings a filter matches, grouped by resource pattern.
// v0 filters are LITERAL (the codec's default), so v0 answers never hold PREFIXED patterns it cannot express.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import { type AclBinding, type AclBindingFilter, filterProblem } from "../acls.js";
import type { HandlerModule, RequestContext } from "../handler.js";

interface DescribeAclsRequest {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

interface DescribedResource {
  resourceType: number;
  resourceName: string;
  patternType: number;
  acls: { principal: string; host: string; operation: number; permissionType: number }[];
}

function groupByResource(bindings: readonly AclBinding[]): DescribedResource[] {
  const resources = new Map<string, DescribedResource>();
  for (const b of bindings) {
    const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType]);
    let r = resources.get(key);
    if (!r) {
      r = {
        resourceType: b.resourceType,
        resourceName: b.resourceName,
        patternType: b.patternType,
        acls: [],
      };
      resources.set(key, r);
    }
    r.acls.push({
      principal: b.principal,
      host: b.host,
      operation: b.operation,
      permissionType: b.permissionType,
    });
  }
  return [...resources.values()];
}

async function handle(ctx: RequestContext, body: DescribeAclsRequest) {
  const filter: AclBindingFilter = {
    resourceType: body.resourceTypeFilter,
    resourceName: body.resourceNameFilter,
    patternType: body.patternTypeFilter,
    principal: body.principalFilter,
    host: body.hostFilter,
    operation: body.operation,
    permissionType: body.permissionType,
  };
  const problem = filterProblem(filter);
  if (problem !== null)
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, resources: [] };
  const resources = groupByResource(ctx.broker.acls.describe(filter));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources };
}

export const describeAclsHandler: HandlerModule = {
  apiKey: ApiKey.DescribeAcls,
  minVersion: 0,
  maxVersion: 3,
  handle,
};
