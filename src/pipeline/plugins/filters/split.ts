// The split filter: turns one event into one event per array element or per line (any terminator) of a field,
// and cancels the original, as Logstash's split does.

import { type Event, type FieldValue, Timestamp } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";

export const splitTypeFailureTag = "_split_type_failure";

export class SplitFilter implements Filter {
  constructor(
    private readonly field: string,
    private readonly target: string | undefined,
    private readonly terminator: string,
    private readonly context: PluginContext,
  ) {}

  filter(event: Event, emit: (event: Event) => void): boolean {
    const original = event.get(this.field);
    let parts: FieldValue[];
    if (Array.isArray(original)) {
      // Without a target the array leaves the copies: each gets only its own element.
      parts = this.target === undefined ? (event.remove(this.field) as FieldValue[]) : original;
    } else if (typeof original === "string") {
      parts = rubySplit(original, this.terminator);
      // One line: nothing to split, the event passes untouched (and undecorated, as in Logstash).
      if (parts.length === 1) return false;
    } else {
      this.failType(event, original);
      return false;
    }
    const destination = this.target ?? this.field;
    for (const part of parts) {
      if (part === null || part === "") continue;
      const copy = event.clone();
      copy.set(destination, part);
      emit(copy);
    }
    // Even when every part was empty (e.g. an empty message) the original goes: Logstash cancels it regardless.
    event.cancel();
    return false;
  }

  private failType(event: Event, value: FieldValue | undefined): void {
    event.tag(splitTypeFailureTag);
    this.context.countFailure("not splittable");
    this.context.logger.warn("Only String and Array types are splittable", {
      plugin: this.context.id,
      field: this.field,
      type: rubyClassName(value),
    });
  }
}

/** The class name Logstash's warning shows for a value. */
function rubyClassName(value: FieldValue | undefined): string {
  if (value === undefined || value === null) return "NilClass";
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "Float";
  if (typeof value === "boolean") return value ? "TrueClass" : "FalseClass";
  return value instanceof Timestamp ? "LogStash::Timestamp" : "Hash";
}

/** Ruby's `text.split(terminator, -1)`: trailing empty parts kept, " " splits on whitespace runs (awk style). */
export function rubySplit(text: string, terminator: string): string[] {
  if (text === "") return [];
  if (terminator === " ") return awkSplit(text);
  if (terminator === "") return [...Array.from(text), ""];
  return text.split(terminator);
}

const asciiSpace = /[ \t\n\v\f\r]/;

function awkSplit(text: string): string[] {
  const parts: string[] = [];
  let begin = 0;
  let inToken = false;
  for (let i = 0; i < text.length; i++) {
    const space = asciiSpace.test(text[i]!);
    if (space && inToken) parts.push(text.slice(begin, i));
    if (space) begin = i + 1;
    inToken = !space;
  }
  // Ruby keeps what follows the last separator (empty after trailing whitespace) when the limit is negative.
  parts.push(text.slice(begin));
  return parts;
}

export const splitFilter: FilterSpec = {
  kind: "filter",
  name: "split",
  doc:
    "Clones an event once per element of an array field, or per part of a string field cut at `terminator`; " +
    "the original event is dropped.",
  options: {
    field: { type: "string", default: "message", doc: "The field to split (a string or an array)." },
    target: { type: "string", doc: "Where each part goes; by default it replaces `field`." },
    terminator: {
      type: "string",
      default: "\n",
      doc: 'What separates parts of a string ("\\n" by default).',
    },
  },
  create: (options, context) =>
    new SplitFilter(
      options.string("field"),
      options.optionalString("target"),
      options.string("terminator"),
      context,
    ),
};
