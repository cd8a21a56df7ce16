// InitProducerId (key 22), versions 0-4: ids for idempotent producers (never reused, see producer-ids.ts);
// an existing id and epoch (v3+) gets its epoch bumped. Transactions are not supported.

import { ApiKey, ErrorCode } from "../../protocol/index.js";
import type { HandlerModule, RequestContext } from "../handler.js";

interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: bigint;
  producerEpoch: number;
}

const epochMax = 32767;

function answer(errorCode: number, producerId: bigint, producerEpoch: number) {
  return { throttleTimeMs: 0, errorCode, producerId, producerEpoch };
}

async function handle(ctx: RequestContext, body: InitProducerIdRequest) {
  const broker = ctx.broker;
  if (body.transactionalId !== null && body.transactionalId !== undefined) {
    broker.logger.warn("refused InitProducerId with a transactional id: transactions are not supported", {
      transactionalId: body.transactionalId,
      client: ctx.header.clientId,
    });
    return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1n, -1);
  }
  const existing = body.producerId ?? -1n;
  const epoch = body.producerEpoch ?? -1;
  // A producer re-initialising keeps its id with the next epoch, until the epoch would overflow.
  if (existing >= 0n && epoch >= 0 && epoch < epochMax) return answer(ErrorCode.NONE, existing, epoch + 1);
  return answer(ErrorCode.NONE, await broker.producerIds.allocate(), 0);
}

export const initProducerIdHandler: HandlerModule = {
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 4,
  handle,
};
