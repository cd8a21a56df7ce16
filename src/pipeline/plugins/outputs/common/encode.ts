// Encoding events for an output through its codec, shared by the outputs: an event the codec cannot encode is
// logged, counted and left out, never a crash.

import type { Event } from "../../../event/index.js";
import type { Codec, PluginContext } from "../../api.js";

/** One event as bytes, or undefined when the codec failed (already logged and counted). */
export function encodeOne(codec: Codec, event: Event, context: PluginContext): Buffer | undefined {
  try {
    const encoded = codec.encode(event);
    return typeof encoded === "string" ? Buffer.from(encoded) : encoded;
  } catch (err) {
    context.logger.warn("codec failed to encode an event; it is dropped", {
      plugin: context.id,
      error: (err as Error).message,
    });
    context.countFailure("encode");
    return undefined;
  }
}

/** A batch as one buffer, in order, without the events the codec refused. */
export function encodeAll(codec: Codec, events: readonly Event[], context: PluginContext): Buffer {
  const parts: Buffer[] = [];
  for (const event of events) {
    const encoded = encodeOne(codec, event, context);
    if (encoded !== undefined) parts.push(encoded);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
