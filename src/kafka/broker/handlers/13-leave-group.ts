// LeaveGroup (key 13), versions 0-4: one member (v0-2) or a batch of members by id or instance id (v3+).

import { coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

const batchedFromVersion = 3;

interface LeaveGroupRequest {
  groupId: string;
  memberId?: string;
  members?: { memberId: string; groupInstanceId: string | null }[];
}

async function handle(ctx: RequestContext, body: LeaveGroupRequest) {
  const batched = ctx.header.apiVersion >= batchedFromVersion;
  const leaving = batched ? (body.members ?? []) : [{ memberId: body.memberId ?? "", groupInstanceId: null }];
  const coordinator = coordinatorOf(ctx);
  if (!coordinator) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
  const members = coordinator.leave(body.groupId, leaving);
  // v0-2 carry one member, whose outcome is the top-level error; v3+ report per member.
  const errorCode = batched ? ErrorCode.NONE : members[0].errorCode;
  return { throttleTimeMs: 0, errorCode, members };
}

export const leaveGroupHandler: HandlerModule = {
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 4,
  handle,
};
