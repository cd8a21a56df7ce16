// DescribeGroups (key 15), versions 0-5: state, protocol and members (client id, host, metadata, assignment).

import { coordinatorOf } from "../../groups/handler-support.js";
import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

/** Kafka's AclOperation codes for groups; without ACLs every group operation is allowed. */
const aclOperation = { read: 3, delete: 6, describe: 8 } as const;
const allGroupOperations =
  (1 << aclOperation.read) | (1 << aclOperation.delete) | (1 << aclOperation.describe);
const operationsNotRequested = -2147483648;

interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations?: boolean;
}

function describe(ctx: RequestContext, groupId: string, includeOperations: boolean) {
  const coordinator = coordinatorOf(ctx);
  const authorizedOperations = includeOperations ? allGroupOperations : operationsNotRequested;
  if (!coordinator) {
    return {
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      groupId,
      groupState: "",
      protocolType: "",
      protocolData: "",
      members: [],
      authorizedOperations,
    };
  }
  const d = coordinator.describeGroup(groupId);
  return {
    errorCode: groupId === "" ? ErrorCode.INVALID_GROUP_ID : ErrorCode.NONE,
    groupId,
    groupState: d.state,
    protocolType: d.protocolType,
    protocolData: d.protocolName,
    members: d.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: m.metadata,
      memberAssignment: m.assignment,
    })),
    authorizedOperations,
  };
}

async function handle(ctx: RequestContext, body: DescribeGroupsRequest) {
  const include = body.includeAuthorizedOperations === true;
  return { throttleTimeMs: 0, groups: body.groups.map((g) => describe(ctx, g, include)) };
}

export const describeGroupsHandler: HandlerModule = {
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle,
};
