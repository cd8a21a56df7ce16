// The persisted queue's entry points, and the event encoding the dead-letter queue shares with it.

export {
  decodeEvent,
  encodeEvent,
  eventFromStored,
  rawFields,
  type StoredFields,
  storedFields,
} from "./event-codec.js";
export { PersistedQueue, type PersistedQueueOptions, type PersistedQueueStats } from "./persisted-queue.js";
export { frameRecord, type RecordRead, readRecord, recordHeaderBytes } from "./records.js";
