// The group coordinator's public surface: what the broker, its handlers and the CLI use.

export { encodeSubscription, subscribedTopics } from "./consumer-protocol.js";
export {
  type CommitRequest,
  type FetchedOffset,
  GroupCoordinator,
  type GroupCoordinatorOptions,
  type GroupDescription,
  type GroupListing,
  GroupNotEmptyError,
  groupDefaults,
  type LeaveResult,
  type OffsetToCommit,
  type PartitionResult,
} from "./coordinator.js";
export {
  type GroupProtocol,
  type GroupState,
  groupStates,
  type JoinRequest,
  type JoinResult,
  type MemberDescription,
  type SyncRequest,
  type SyncResult,
} from "./group.js";
export type { OffsetEntry } from "./offsets-record.js";
export { ManualScheduler, realScheduler, type Scheduler, type TimerHandle } from "./scheduler.js";
