// Fake plugins for the runtime's tests: inputs that generate or wait, filters that tag, emit, cancel, throw, wait
// and buffer, an output that records every receive call. Each factory returns a spec and what it observed.

import { silentLogger } from "../../common/logger.js";
import { buildPlan } from "../config/index.js";
import { Event } from "../event/index.js";
import type {
  CodecSpec,
  Filter,
  FilterSpec,
  InputSink,
  InputSpec,
  OutputSpec,
  PluginSpec,
} from "../plugins/api.js";
import { PluginRegistry } from "../plugins/registry.js";
import { createPipeline, type Pipeline } from "./pipeline.js";
import type { PipelineSettings } from "./settings.js";

export const plainCodec: CodecSpec = {
  kind: "codec",
  name: "plain",
  doc: "test codec",
  options: {},
  create: () => ({
    createDecoder: (emit) => ({
      write: (data) => emit(new Event({ message: data.toString() })),
      end: () => {},
    }),
    encode: (event) => `${String(event.get("message"))}\n`,
  }),
};

/** `gen { count => N }`: N events with `sequence` 0..N-1, honouring back-pressure; records what push returned. */
export function generatorInput() {
  const observed = { fullSignals: 0, pushed: 0 };
  const spec: InputSpec = {
    kind: "input",
    name: "gen",
    doc: "test generator",
    defaultCodec: "plain",
    options: {
      count: { type: "number", default: 10 },
      message: { type: "string", default: "hello" },
      fields: { type: "hash", default: {} },
    },
    create: (options) => ({
      async run(sink: InputSink) {
        const count = options.number("count");
        for (let i = 0; i < count && !sink.stopping; i++) {
          observed.pushed++;
          const event = new Event({
            message: options.string("message"),
            sequence: i,
            ...options.hash("fields"),
          });
          if (!sink.push(event)) {
            observed.fullSignals++;
            await sink.ready();
          }
        }
      },
      stop() {},
    }),
  };
  return { spec, observed };
}

/** `endless {}`: pushes until stopped, yielding to the event loop between small bursts. */
export function endlessInput() {
  const observed = { pushed: 0, stopCalls: 0 };
  const spec: InputSpec = {
    kind: "input",
    name: "endless",
    doc: "test endless input",
    defaultCodec: "plain",
    options: {},
    create: () => ({
      async run(sink: InputSink) {
        while (!sink.stopping) {
          for (let i = 0; i < 10; i++) {
            if (!sink.push(new Event({ sequence: observed.pushed++ }))) await sink.ready();
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
      stop() {
        observed.stopCalls++;
      },
    }),
  };
  return { spec, observed };
}

/** `capture {}`: records the events of every receive call (`id` tells several apart). */
export function captureOutput() {
  const calls = new Map<string, Event[][]>();
  const closed: string[] = [];
  const spec: OutputSpec = {
    kind: "output",
    name: "capture",
    doc: "test output",
    defaultCodec: "plain",
    options: { delay_ms: { type: "number", default: 0 }, fail: { type: "boolean", default: false } },
    create: (options, context) => {
      const list: Event[][] = [];
      calls.set(context.id, list);
      return {
        async receive(events) {
          list.push(events);
          const delay = options.number("delay_ms");
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
          if (options.boolean("fail")) throw new Error("output broke");
        },
        close() {
          closed.push(context.id);
        },
      };
    },
  };
  const events = (id: string) => (calls.get(id) ?? []).flat();
  return { spec, calls, closed, events };
}

/**
 * `act { ... }`: sets [seen_by] += id; `match => false` returns false; `emit => N` emits N copies with [copy];
 * `cancel_when => "value"` cancels events whose [message] equals it; `throw_when` throws for them; `delay_ms` awaits.
 */
export function actingFilter() {
  const flushes: Array<{ id: string; final: boolean }> = [];
  const closed: string[] = [];
  const spec: FilterSpec = {
    kind: "filter",
    name: "act",
    doc: "test filter",
    options: {
      match: { type: "boolean", default: true },
      emit: { type: "number", default: 0 },
      cancel_when: { type: "string" },
      throw_when: { type: "string" },
      delay_ms: { type: "number", default: 0 },
      buffer: { type: "boolean", default: false },
      fail_create: { type: "boolean", default: false },
    },
    create: (options, context) => {
      if (options.boolean("fail_create")) throw new Error("cannot start this filter");
      const buffered: Event[] = [];
      const sync = (event: Event, emit: (event: Event) => void): boolean => {
        const message = event.get("message");
        if (message === options.optionalString("throw_when")) throw new Error("filter broke");
        const seen = event.get("seen_by");
        event.set("seen_by", [...(Array.isArray(seen) ? seen : []), context.id]);
        if (message === options.optionalString("cancel_when")) event.cancel();
        for (let i = 0; i < options.number("emit"); i++) {
          const copy = event.clone();
          copy.set("copy", i);
          emit(copy);
        }
        if (options.boolean("buffer")) {
          buffered.push(event.clone());
          event.cancel();
        }
        return options.boolean("match");
      };
      const filter: Filter = {
        filter: (event, emit) => {
          const delay = options.number("delay_ms");
          if (delay === 0) return sync(event, emit);
          return new Promise((resolve) => setTimeout(() => resolve(sync(event, emit)), delay));
        },
        close: () => {
          closed.push(context.id);
        },
      };
      if (options.boolean("buffer")) {
        filter.flush = (final) => {
          flushes.push({ id: context.id, final });
          return buffered.splice(0);
        };
      }
      return filter;
    },
  };
  return { spec, flushes, closed };
}

export interface Harness {
  pipeline: Pipeline;
  gen: ReturnType<typeof generatorInput>;
  endless: ReturnType<typeof endlessInput>;
  capture: ReturnType<typeof captureOutput>;
  act: ReturnType<typeof actingFilter>;
}

/** A pipeline from `config` with the fake plugins (and any `extra`), logging nothing unless `settings` says. */
export function harness(config: string, settings: PipelineSettings = {}, extra: PluginSpec[] = []): Harness {
  const gen = generatorInput();
  const endless = endlessInput();
  const capture = captureOutput();
  const act = actingFilter();
  const registry = new PluginRegistry([plainCodec, gen.spec, endless.spec, capture.spec, act.spec, ...extra]);
  const { plan, diagnostics } = buildPlan([{ file: "test.conf", text: config }]);
  if (diagnostics.some((d) => d.severity === "error"))
    throw new Error(`test config does not compile: ${JSON.stringify(diagnostics)}`);
  const pipeline = createPipeline(plan, registry, { logger: silentLogger, workers: 1, ...settings });
  return { pipeline, gen, endless, capture, act };
}
