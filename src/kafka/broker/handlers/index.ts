// The handler registry: every API the broker answers, the broker's own and the group coordinator's.

import { assert } from "../../../common/assert.js";
import type { HandlerModule } from "../handler.js";
import { produceHandler } from "./00-produce.js";
import { fetchHandler } from "./01-fetch.js";
import { listOffsetsHandler } from "./02-list-offsets.js";
import { metadataHandler } from "./03-metadata.js";
import { createApiVersionsHandler } from "./18-api-versions.js";
import { createTopicsHandler } from "./19-create-topics.js";
import { deleteTopicsHandler } from "./20-delete-topics.js";
import { deleteRecordsHandler } from "./21-delete-records.js";
import { initProducerIdHandler } from "./22-init-producer-id.js";
import { offsetForLeaderEpochHandler } from "./23-offset-for-leader-epoch.js";
import { describeAclsHandler } from "./29-describe-acls.js";
import { createAclsHandler } from "./30-create-acls.js";
import { deleteAclsHandler } from "./31-delete-acls.js";
import { describeConfigsHandler } from "./32-describe-configs.js";
import { alterConfigsHandler } from "./33-alter-configs.js";
import { createPartitionsHandler } from "./37-create-partitions.js";
import { incrementalAlterConfigsHandler } from "./44-incremental-alter-configs.js";
import { groupHandlers } from "./group-index.js";

const brokerHandlers: HandlerModule[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  offsetForLeaderEpochHandler,
  describeAclsHandler,
  createAclsHandler,
  deleteAclsHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  createPartitionsHandler,
  incrementalAlterConfigsHandler,
];

export const allHandlers: readonly HandlerModule[] = [
  ...brokerHandlers,
  createApiVersionsHandler(() => allHandlers),
  ...groupHandlers,
];

/** apiKey → handler; a key registered twice is a programming error caught at startup. */
export function handlerRegistry(
  handlers: readonly HandlerModule[] = allHandlers,
): Map<number, HandlerModule> {
  const map = new Map<number, HandlerModule>();
  for (const h of handlers) {
    assert(!map.has(h.apiKey), `two handlers for API key ${h.apiKey}`);
    map.set(h.apiKey, h);
  }
  return map;
}
