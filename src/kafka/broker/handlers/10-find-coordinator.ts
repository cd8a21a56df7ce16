// FindCoordinator (key 10), versions 0-3: this single broker coordinates every group; transactions are not supported.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

const keyTypeGroup = 0;
const keyTypeTransaction = 1;

interface FindCoordinatorRequest {
  key: string;
  keyType?: number;
}

async function handle(ctx: RequestContext, body: FindCoordinatorRequest) {
  const keyType = body.keyType ?? keyTypeGroup;
  const broker = ctx.broker;
  const refuse = (errorMessage: string) => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage,
    nodeId: -1,
    host: "",
    port: -1,
  });
  if (keyType === keyTypeTransaction) return refuse("Sluice does not support transactions");
  if (keyType !== keyTypeGroup) return refuse(`unknown coordinator key type ${keyType}`);
  if (!broker.groups) {
    return { ...refuse("group coordinator not started"), errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    nodeId: broker.config.nodeId,
    host: broker.config.advertisedHost,
    port: broker.advertisedPort,
  };
}

export const findCoordinatorHandler: HandlerModule = {
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 3,
  handle,
};
