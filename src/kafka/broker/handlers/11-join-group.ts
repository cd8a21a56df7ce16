// JoinGroup (key 11), versions 0-7: parks the request until the group's join phase ends, then answers.

import type { GroupProtocol } from "../../groups/group.js";
import { clientHostOf, coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

/** From v4 an unknown member must first fetch its member id (MEMBER_ID_REQUIRED) and join again with it. */
const memberIdRequiredFromVersion = 4;
/** Before v7, protocolName is not nullable on the wire. */
const nullableProtocolNameFromVersion = 7;

interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs?: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType: string;
  protocols: GroupProtocol[];
}

async function handle(ctx: RequestContext, body: JoinGroupRequest) {
  const version = ctx.header.apiVersion;
  const coordinator = coordinatorOf(ctx);
  const result = coordinator
    ? await coordinator.join(body.groupId, {
        memberId: body.memberId,
        groupInstanceId: body.groupInstanceId ?? null,
        clientId: ctx.header.clientId ?? "",
        clientHost: clientHostOf(ctx),
        sessionTimeoutMs: body.sessionTimeoutMs,
        rebalanceTimeoutMs: body.rebalanceTimeoutMs ?? -1,
        protocolType: body.protocolType,
        protocols: body.protocols,
        requireKnownMemberId: version >= memberIdRequiredFromVersion,
      })
    : null;
  if (!result) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      generationId: -1,
      protocolType: null,
      protocolName: version >= nullableProtocolNameFromVersion ? null : "",
      leader: "",
      memberId: body.memberId,
      members: [],
    };
  }
  return {
    throttleTimeMs: 0,
    errorCode: result.errorCode,
    generationId: result.generationId,
    protocolType: result.protocolType,
    protocolName: result.protocolName ?? (version >= nullableProtocolNameFromVersion ? null : ""),
    leader: result.leader,
    memberId: result.memberId,
    members: result.members,
  };
}

export const joinGroupHandler: HandlerModule = {
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 7,
  handle,
};
