// Stub: the group coordinator is being written; the broker holds `groups: null` until it is wired.
export class GroupCoordinator {}
