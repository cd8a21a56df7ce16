// DeleteAcls (key 31), versions 0-3: removes the stored bindings each filter matches and reports them;
// an unusable filter (UNKNOWN values) gets INVALID_REQUEST alone while the others still apply.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import { type AclBinding, type AclBindingFilter, filterProblem } from "../acls.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { errorCodeFor } from "./common.js";

interface DeleteAclsFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

interface FilterResult {
  errorCode: number;
  errorMessage: string | null;
  matchingAcls: (AclBinding & { errorCode: number; errorMessage: string | null })[];
}

function toFilter(f: DeleteAclsFilter): AclBindingFilter {
  return {
    resourceType: f.resourceTypeFilter,
    resourceName: f.resourceNameFilter,
    patternType: f.patternTypeFilter,
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation,
    permissionType: f.permissionType,
  };
}

async function handle(ctx: RequestContext, body: { filters: DeleteAclsFilter[] }) {
  const filters = body.filters.map(toFilter);
  const problems = filters.map(filterProblem);
  const usable = filters.filter((_, i) => problems[i] === null);
  let deleted: AclBinding[][];
  try {
    deleted = await ctx.broker.acls.delete(usable);
  } catch (err) {
    const { message } = errorCodeFor(err, ctx.broker.logger, "delete ACLs");
    const failed = { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: message, matchingAcls: [] };
    return { throttleTimeMs: 0, filterResults: filters.map(() => failed) };
  }
  let next = 0;
  const filterResults: FilterResult[] = problems.map((problem) => {
    if (problem !== null)
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, matchingAcls: [] };
    const hits = deleted[next++] ?? [];
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      matchingAcls: hits.map((b) => ({ ...b, errorCode: ErrorCode.NONE, errorMessage: null })),
    };
  });
  const count = deleted.reduce((n, hits) => n + hits.length, 0);
  if (count > 0) ctx.broker.logger.info("deleted ACLs", { count, client: ctx.header.clientId });
  return { throttleTimeMs: 0, filterResults };
}

export const deleteAclsHandler: HandlerModule = {
  apiKey: ApiKey.DeleteAcls,
  minVersion: 0,
  maxVersion: 3,
  handle,
};
