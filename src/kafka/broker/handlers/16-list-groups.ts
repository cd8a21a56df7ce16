// ListGroups (key 16), versions 0-4: every group this broker coordinates, optionally filtered by state (v4).

import { coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

interface ListGroupsRequest {
  statesFilter?: string[];
}

async function handle(ctx: RequestContext, body: ListGroupsRequest) {
  const coordinator = coordinatorOf(ctx);
  if (!coordinator) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
  const groups = coordinator.listGroups(body.statesFilter ?? []).map((g) => ({
    groupId: g.groupId,
    protocolType: g.protocolType,
    groupState: g.state,
  }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
}

export const listGroupsHandler: HandlerModule = {
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 4,
  handle,
};
