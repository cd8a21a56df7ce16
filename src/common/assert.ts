// Assertions for programmer errors: they throw AssertionError and are never caught to keep going.
// Operating errors (bad input, disk full, a peer's malformed frame) are handled, not asserted.

export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function unreachable(value: never, message = "unreachable"): never {
  throw new AssertionError(`${message}: ${String(value)}`);
}
