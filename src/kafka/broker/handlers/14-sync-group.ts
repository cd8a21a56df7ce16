// SyncGroup (key 14), versions 0-4: the leader hands in assignments; every member gets its own bytes back.

import { coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType?: string | null;
  protocolName?: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

async function handle(ctx: RequestContext, body: SyncGroupRequest) {
  const coordinator = coordinatorOf(ctx);
  if (!coordinator) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: Buffer.alloc(0) };
  }
  const result = await coordinator.sync(body.groupId, {
    memberId: body.memberId,
    groupInstanceId: body.groupInstanceId ?? null,
    generationId: body.generationId,
    protocolType: body.protocolType ?? null,
    protocolName: body.protocolName ?? null,
    assignments: body.assignments,
  });
  return {
    throttleTimeMs: 0,
    errorCode: result.errorCode,
    protocolType: result.protocolType,
    protocolName: result.protocolName,
    assignment: result.assignment,
  };
}

export const syncGroupHandler: HandlerModule = {
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 4,
  handle,
};
