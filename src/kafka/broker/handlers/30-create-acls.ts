// CreateAcls (key 30), versions 0-3: validates each binding and stores the valid ones durably, one result
// per creation in request order. The bindings are recorded, not enforced: Sluice has no authentication.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import { type AclBinding, AclStoreFullError, bindingProblem } from "../acls.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { errorCodeFor } from "./common.js";

interface AclCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

interface CreationResult {
  errorCode: number;
  errorMessage: string | null;
}

function toBinding(c: AclCreation): AclBinding {
  return {
    resourceType: c.resourceType,
    resourceName: c.resourceName,
    patternType: c.resourcePatternType,
    principal: c.principal,
    host: c.host,
    operation: c.operation,
    permissionType: c.permissionType,
  };
}

async function store(ctx: RequestContext, bindings: AclBinding[]): Promise<CreationResult> {
  try {
    await ctx.broker.acls.create(bindings);
    ctx.broker.logger.info("created ACLs (stored, not enforced: Sluice has no authentication)", {
      count: bindings.length,
      client: ctx.header.clientId,
    });
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    if (err instanceof AclStoreFullError)
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: err.message };
    const { message } = errorCodeFor(err, ctx.broker.logger, "create ACLs");
    return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: message };
  }
}

async function handle(ctx: RequestContext, body: { creations: AclCreation[] }) {
  const bindings = body.creations.map(toBinding);
  const results: CreationResult[] = bindings.map((b) => {
    const problem = bindingProblem(b);
    return problem === null
      ? { errorCode: ErrorCode.NONE, errorMessage: null }
      : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem };
  });
  const valid = bindings.filter((_, i) => results[i]!.errorCode === ErrorCode.NONE);
  if (valid.length > 0) {
    // One durable write for the whole request: all valid creations succeed or fail together.
    const stored = await store(ctx, valid);
    for (const r of results) if (r.errorCode === ErrorCode.NONE) Object.assign(r, stored);
  }
  return { throttleTimeMs: 0, results };
}

export const createAclsHandler: HandlerModule = {
  apiKey: ApiKey.CreateAcls,
  minVersion: 0,
  maxVersion: 3,
  handle,
};
