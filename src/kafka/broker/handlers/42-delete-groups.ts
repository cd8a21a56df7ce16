// DeleteGroups (key 42), versions 0-2: removes empty groups and their committed offsets.

import { coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

interface DeleteGroupsRequest {
  groupsNames: string[];
}

async function handle(ctx: RequestContext, body: DeleteGroupsRequest) {
  const coordinator = coordinatorOf(ctx);
  const results = coordinator
    ? await coordinator.deleteGroups(body.groupsNames)
    : body.groupsNames.map((groupId) => ({ groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }));
  return { throttleTimeMs: 0, results };
}

export const deleteGroupsHandler: HandlerModule = {
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle,
};
