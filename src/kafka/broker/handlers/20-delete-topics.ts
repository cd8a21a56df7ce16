// DeleteTopics (key 20), versions 0-4: removes topics and their data.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";
import { errorCodeFor } from "./common.js";

interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}

async function deleteTopic(ctx: RequestContext, name: string) {
  const broker = ctx.broker;
  if (!broker.logs.topic(name))
    return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
  try {
    await broker.logs.deleteTopic(name);
    broker.logger.info("deleted topic", { topic: name, client: ctx.header.clientId });
    return { name, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    const { code, message } = errorCodeFor(err, broker.logger, "delete topic");
    return { name, errorCode: code, errorMessage: message };
  }
}

async function handle(ctx: RequestContext, body: DeleteTopicsRequest) {
  const responses = [];
  for (const name of body.topicNames) responses.push(await deleteTopic(ctx, name));
  return { throttleTimeMs: 0, responses };
}

export const deleteTopicsHandler: HandlerModule = {
  apiKey: ApiKey.DeleteTopics,
  minVersion: 0,
  maxVersion: 4,
  handle,
};
