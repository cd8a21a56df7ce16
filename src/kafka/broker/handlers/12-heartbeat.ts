// Heartbeat (key 12), versions 0-4: keeps a member's session alive and tells it when to rejoin.

import { coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
}

async function handle(ctx: RequestContext, body: HeartbeatRequest) {
  const coordinator = coordinatorOf(ctx);
  const errorCode = coordinator
    ? coordinator.heartbeat(body.groupId, body.memberId, body.groupInstanceId ?? null, body.generationId)
    : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  return { throttleTimeMs: 0, errorCode };
}

export const heartbeatHandler: HandlerModule = {
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle,
};
