// Encoding events for an output through its codec, shared by the outputs: an event the codec cannot encode is
// logged, counted and left out, never a crash.

import type { Event } from "../../../event/index.js";
import type { Codec, PluginContext } from "../../api.js";

/** What a codec writes for one event: text (every text codec) or bytes. */
export type EncodedPiece = string | Buffer;

/** One event as the codec wrote it, or undefined when the codec failed (already logged and counted). */
export function encodePiece(codec: Codec, event: Event, context: PluginContext): EncodedPiece | undefined {
  try {
    return codec.encode(event);
  } catch (err) {
    context.logger.warn("codec failed to encode an event; it is dropped", {
      plugin: context.id,
      error: (err as Error).message,
    });
    context.countFailure("encode");
    return undefined;
  }
}

/** One event as bytes, or undefined when the codec failed (already logged and counted). */
export function encodeOne(codec: Codec, event: Event, context: PluginContext): Buffer | undefined {
  const piece = encodePiece(codec, event, context);
  return piece === undefined ? undefined : piecesToBuffer([piece]);
}

const surrogate = /[\ud800-\udfff]/;

/**
 * Pieces as one buffer, in order. Runs of text are joined before they become bytes: one UTF-8 copy per run
 * instead of a Buffer per event, which was a measurable share of an output's time (and of the GC's).
 */
export function piecesToBuffer(pieces: readonly EncodedPiece[]): Buffer {
  if (pieces.every((piece) => typeof piece === "string")) return textToBuffer(pieces as readonly string[]);
  const parts: Buffer[] = [];
  let run: string[] = [];
  for (const piece of pieces) {
    if (typeof piece === "string") {
      run.push(piece);
      continue;
    }
    if (run.length > 0) parts.push(textToBuffer(run));
    run = [];
    parts.push(piece);
  }
  if (run.length > 0) parts.push(textToBuffer(run));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Text pieces as UTF-8, the same bytes as piece by piece: a text holding surrogates is encoded piece by piece,
 * so a lone surrogate at a piece's end stays U+FFFD instead of pairing with the next piece's first character.
 */
function textToBuffer(run: readonly string[]): Buffer {
  const text = run.length === 1 ? run[0]! : run.join("");
  if (run.length === 1 || !surrogate.test(text)) return Buffer.from(text);
  return Buffer.concat(run.map((piece) => Buffer.from(piece)));
}

/** A batch as one buffer, in order, without the events the codec refused. */
export function encodeAll(codec: Codec, events: readonly Event[], context: PluginContext): Buffer {
  const pieces: EncodedPiece[] = [];
  for (const event of events) {
    const piece = encodePiece(codec, event, context);
    if (piece !== undefined) pieces.push(piece);
  }
  return piecesToBuffer(pieces);
}
