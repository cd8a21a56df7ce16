// Test support for the kafka plugins: an in-process Sluice broker with fast group rebalances, options with the
// spec's defaults filled in (as the registry would), a plain/json codec and a sink that records what it accepted.

import { silentLogger } from "../../../common/logger.js";
import { startTestBroker, type TestBroker } from "../../../kafka/broker/test-broker.js";
import type { Event } from "../../event/index.js";
import type { InputSink, PluginContext, PluginSpec } from "../api.js";
import { jsonCodec } from "../codecs/json.js";
import { plainCodec } from "../codecs/plain.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { quietContext } from "../registry.js";

export function startKafkaTestBroker(): Promise<TestBroker> {
  return startTestBroker({
    advertisedHost: "127.0.0.1",
    groupInitialRebalanceDelayMs: 100,
    groupMinSessionTimeoutMs: 1000,
  });
}

export interface Recorded {
  context: PluginContext;
  failures: string[];
  warnings: string[];
}

export function recordingContext(spec: PluginSpec): Recorded {
  const failures: string[] = [];
  const warnings: string[] = [];
  const base = quietContext(spec, ResolvedOptions.of({}));
  const logger = { ...silentLogger, warn: (msg: string) => warnings.push(msg), child: () => logger };
  return { failures, warnings, context: { ...base, logger, countFailure: (r) => failures.push(r) } };
}

export function optionsFor(
  spec: PluginSpec,
  given: Record<string, OptionValue>,
  codec: "plain" | "json" = "plain",
): ResolvedOptions {
  const values: Record<string, OptionValue> = {};
  for (const [name, option] of Object.entries(spec.options))
    if (option.default !== undefined) values[name] = option.default;
  const codecSpec = codec === "json" ? jsonCodec : plainCodec;
  const codecOptions: Record<string, OptionValue> = {};
  for (const [name, option] of Object.entries(codecSpec.options))
    if (option.default !== undefined) codecOptions[name] = option.default;
  const instance = codecSpec.create(
    ResolvedOptions.of(codecOptions),
    quietContext(codecSpec, ResolvedOptions.of({})),
  );
  const options = ResolvedOptions.of({ ...values, ...given }, instance);
  // Defaults do not count as given, as with the registry.
  const givenNames = new Set(Object.keys(given));
  return Object.assign(Object.create(Object.getPrototypeOf(options)), options, {
    has: (name: string) => givenNames.has(name),
  });
}

/** A sink that keeps every accepted event; `gate` holds accept() open to test back-pressure. */
export function recordingSink() {
  const accepted: Event[] = [];
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  const sink: InputSink & { stopping: boolean } = {
    stopping: false,
    push: (event) => {
      accepted.push(event);
      return true;
    },
    ready: async () => {},
    accept: async (events) => {
      if (gate !== undefined) await gate;
      accepted.push(...events);
    },
  };
  return {
    sink,
    accepted,
    close: () => {
      gate = new Promise((resolve) => (open = resolve));
    },
    open: () => {
      gate = undefined;
      open();
    },
  };
}
