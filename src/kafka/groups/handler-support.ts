// What every group API handler needs from the broker: the coordinator (null until the broker wires it in).

import type { RequestContext } from "../broker/handler.js";
import type { GroupCoordinator } from "./coordinator.js";

/** The coordinator, or null: handlers then answer COORDINATOR_NOT_AVAILABLE, which clients retry. */
export function coordinatorOf(ctx: RequestContext): GroupCoordinator | null {
  return ctx.broker.groups;
}

/** Kafka reports client hosts as "/address"; keep that form so tools show what they expect. */
export function clientHostOf(ctx: RequestContext): string {
  return ctx.clientHost.startsWith("/") ? ctx.clientHost : `/${ctx.clientHost}`;
}
