// A pause that an input's stop cuts short: inputs wait between runs on an AbortSignal their stop() aborts.

/** Resolves after `ms`, or at once when `ms` is not positive or `signal` is (or becomes) aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
