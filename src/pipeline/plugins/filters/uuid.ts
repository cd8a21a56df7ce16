// The uuid filter: stores a random (version 4) UUID in a field, keeping an existing value unless told otherwise.

import { randomUUID } from "node:crypto";
import type { Event } from "../../event/index.js";
import type { Filter, FilterSpec } from "../api.js";

export class UuidFilter implements Filter {
  constructor(
    private readonly target: string,
    private readonly overwrite: boolean,
  ) {}

  filter(event: Event): boolean {
    const current = event.get(this.target);
    if (this.overwrite || current === undefined || current === null) event.set(this.target, randomUUID());
    return true;
  }
}

export const uuidFilter: FilterSpec = {
  kind: "filter",
  name: "uuid",
  doc: "Sets a field to a random version-4 UUID, e.g. to give each event an id usable as a document id.",
  options: {
    target: { type: "string", required: true, doc: "The field the UUID is written to." },
    overwrite: { type: "boolean", default: false, doc: "Replace a value already in `target`." },
  },
  create: (options) => new UuidFilter(options.string("target"), options.boolean("overwrite")),
};
