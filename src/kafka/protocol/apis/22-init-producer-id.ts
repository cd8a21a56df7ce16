// InitProducerId (API key 22), versions 0-4: request and response fields as data for the generic codec.
// Field lists and version ranges follow Kafka's InitProducerIdRequest/InitProducerIdResponse message definitions.

import type { ApiSchema } from "../schema.js";

export const initProducerIdApi: ApiSchema = {
  apiKey: 22,
  name: "InitProducerId",
  minVersion: 0,
  maxVersion: 4,
  flexibleVersions: "2+",
  request: [
    { name: "transactionalId", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "transactionTimeoutMs", type: "int32", versions: "0+" },
    { name: "producerId", type: "int64", versions: "3+", default: -1n },
    { name: "producerEpoch", type: "int16", versions: "3+", default: -1 },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "errorCode", type: "int16", versions: "0+" },
    { name: "producerId", type: "int64", versions: "0+", default: -1n },
    { name: "producerEpoch", type: "int16", versions: "0+" },
  ],
};
