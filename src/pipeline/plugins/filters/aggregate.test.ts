import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Event, Timestamp } from "../../event/index.js";
import { rubyVm } from "../../ruby/vm.js";
import type { Filter } from "../api.js";
import { aggregateClock, aggregateFilter, aggregatesOf } from "./aggregate.js";
import { filterHarness } from "./testing.js";

const harness = filterHarness(aggregateFilter);
const dir = mkdtempSync(join(tmpdir(), "sluice-aggregate-"));
const realNow = aggregateClock.now;
let clock = 0;
let open: Filter[] = [];

/** A registered filter (as the runtime does at start); closed after the test. */
function setup(body: string) {
  const made = harness.setup(body);
  made.filter.register?.();
  open.push(made.filter);
  return made;
}

function maps(pattern = "%{taskid}") {
  return aggregatesOf("test")?.patterns.get(pattern)?.tasks;
}

function flush(filter: Filter, final = false): Event[] {
  return filter.flush!(final);
}

const advance = (seconds: number) => {
  clock += seconds * 1000;
};

beforeAll(() => {
  rubyVm();
}, 30_000);

beforeEach(() => {
  clock = Date.parse("2026-01-01T00:00:00Z");
  aggregateClock.now = () => clock;
});

afterEach(() => {
  for (const filter of open) filter.close?.();
  open = [];
  aggregateClock.now = realNow;
  expect(aggregatesOf("test")).toBeUndefined();
});

// The three filters of the plugin's own spec: a start, an update, and an end with timeout options.
function sqlFilters() {
  const start = setup(`task_id => "%{taskid}" map_action => "create" code => "map['sql_duration'] = 0"`);
  const update = setup(
    `task_id => "%{taskid}" map_action => "update" code => "map['sql_duration'] += event.get('duration')"`,
  );
  const end =
    setup(`task_id => "%{taskid}" timeout_task_id_field => "my_id" push_map_as_event_on_timeout => true
    map_action => "update" code => "event.set('sql_duration', map['sql_duration'])" end_of_task => true
    timeout => 5 inactivity_timeout => 2 timeout_code => "event.set('test', 'testValue')"
    timeout_tags => ["tag1", "tag2"]`);
  return { start, update, end };
}

describe("aggregate filter: workers", () => {
  it("warns when the pipeline has more than one worker, and not with one", () => {
    for (const [workers, warned] of [
      [4, true],
      [1, false],
    ] as const) {
      const { options, context, logs } = harness.configure(`task_id => "%{taskid}" code => "map['n'] = 1"`);
      const filter = aggregateFilter.create(options, { ...context, workers }) as Filter;
      filter.register?.();
      open.push(filter);
      expect(logs.some((l) => l.includes("needs pipeline.workers: 1"))).toBe(warned);
    }
  });
});

describe("aggregate filter: configuration", () => {
  it("refuses a task_id without a dynamic expression", () => {
    expect(harness.refused(`task_id => "static_value" code => ""`)).toMatch(/dynamic expression/);
  });

  it("refuses an inactivity_timeout above timeout, or above the default timeout", () => {
    expect(harness.refused(`task_id => "%{a}" code => "" timeout => 2 inactivity_timeout => 3`)).toMatch(
      /inactivity_timeout \(3\) must be lower than timeout \(2\)/,
    );
    expect(harness.refused(`task_id => "%{a}" code => "" inactivity_timeout => 1801`)).toMatch(
      /must be lower/,
    );
    expect(harness.refused(`task_id => "%{a}" code => "" timeout => 3 inactivity_timeout => 3`)).toBe(
      "accepted",
    );
  });

  it("refuses Ruby that does not compile, in code and in timeout_code", () => {
    expect(harness.refused(`task_id => "%{a}" code => "map['x'] = ("`)).toMatch(/syntax/i);
    expect(harness.refused(`task_id => "%{a}" code => "" timeout_code => "event.set("`)).toMatch(/syntax/i);
  });

  it("requires task_id and code, checks map_action, and defaults as Logstash", () => {
    const errors = (body: string) => harness.diagnosticsOf(body).filter((d) => d.severity === "error").length;
    expect(errors(`code => ""`)).toBeGreaterThan(0);
    expect(errors(`task_id => "%{a}"`)).toBeGreaterThan(0);
    expect(errors(`task_id => "%{a}" code => "" map_action => "upsert"`)).toBeGreaterThan(0);
    const { options } = harness.configure(`task_id => "%{a}" code => ""`);
    expect(options.string("map_action")).toBe("create_or_update");
    expect(options.boolean("end_of_task")).toBe(false);
    expect(options.boolean("push_map_as_event_on_timeout")).toBe(false);
    expect(options.boolean("push_previous_map_as_event")).toBe(false);
    expect(options.array("timeout_tags")).toEqual([]);
    expect(options.number("map_count_warning_threshold")).toBe(5000);
    expect(options.has("timeout")).toBe(false);
  });

  it("refuses timeout options on two filters of one task_id pattern, at register", () => {
    setup(`task_id => "%{taskid}" code => "" timeout => 10`);
    const second = harness.setup(`task_id => "%{taskid}" code => "" push_previous_map_as_event => true`);
    expect(() => second.filter.register!()).toThrow(/more than one filter which defines timeout options/);
    // Another pattern may have its own.
    setup(`task_id => "%{other}" code => "" timeout => 10`);
  });

  it("refuses aggregate_maps_path on two filters of a pipeline, at register", () => {
    setup(`task_id => "%{a}" code => "" aggregate_maps_path => "${join(dir, "one")}"`);
    const second = harness.setup(`task_id => "%{b}" code => "" aggregate_maps_path => "${join(dir, "two")}"`);
    expect(() => second.filter.register!()).toThrow(/must be set on only one aggregate filter/);
  });
});

describe("aggregate filter: tasks", () => {
  it("ignores an event without a task id", () => {
    const { start } = sqlFilters();
    const { matched } = start.run({ message: "no id" });
    expect(matched).toBe(false);
    expect(maps()?.size).toBe(0);
  });

  it("creates a map for a new task and runs the code on it", () => {
    const { start } = sqlFilters();
    const { matched } = start.run({ taskid: "id123" });
    expect(matched).toBe(true);
    expect(maps()?.size).toBe(1);
    expect(maps()?.get("id123")?.creationMs).toBe(clock);
  });

  it("keeps the first map when a create-only filter sees a task twice", () => {
    const { start, update } = sqlFilters();
    start.run({ taskid: "id124" });
    update.run({ taskid: "id124", duration: 2 });
    const created = maps()?.get("id124")?.creationMs;
    advance(1);
    const { matched } = start.run({ taskid: "id124" });
    expect(matched).toBe(false);
    expect(maps()?.get("id124")?.creationMs).toBe(created);
    const { end } = {
      end: setup(`task_id => "%{taskid}" code => "event.set('sql_duration', map['sql_duration'])"`),
    };
    expect(end.run({ taskid: "id124" }).event.get("sql_duration")).toBe(2);
  });

  it("aggregates start, update and end events, then deletes the map", () => {
    const { start, update, end } = sqlFilters();
    start.run({ taskid: "id_123" });
    update.run({ taskid: "id_123", duration: 2 });
    update.run({ taskid: "id_123", duration: 3 });
    const other = end.run({ taskid: "id_123_different" });
    expect(other.matched).toBe(false);
    expect(other.event.get("sql_duration")).toBeUndefined();
    const { event, matched } = end.run({ taskid: "id_123" });
    expect(matched).toBe(true);
    expect(event.get("sql_duration")).toBe(5);
    expect(maps()?.size).toBe(0);
    // The map is gone: an update for the task does nothing.
    expect(update.run({ taskid: "id_123", duration: 1 }).matched).toBe(false);
  });

  it("does nothing for an end event without a start", () => {
    const { end } = sqlFilters();
    const { event, matched } = end.run({ taskid: "id124" });
    expect(matched).toBe(false);
    expect(event.get("sql_duration")).toBeUndefined();
    expect(maps()?.size).toBe(0);
  });

  it("takes a task id from a number field", () => {
    const { start } = sqlFilters();
    start.run({ taskid: 124 });
    expect([...(maps()?.keys() ?? [])]).toEqual(["124"]);
  });

  it("shares maps between filters of one pattern, not between patterns", () => {
    const a = setup(`task_id => "%{id}" code => "map['n'] ||= 0; map['n'] += 1; event.set('n', map['n'])"`);
    const b = setup(`task_id => "%{id}" code => "event.set('seen', map['n'])"`);
    const c = setup(`task_id => "%{[id]}" code => "event.set('seen', map['n'])"`);
    a.run({ id: "x" });
    a.run({ id: "x" });
    expect(a.run({ id: "y" }).event.get("n")).toBe(1);
    expect(b.run({ id: "x" }).event.get("seen")).toBe(2);
    expect(c.run({ id: "x" }).event.get("seen")).toBeNull();
  });

  it("tags _aggregateexception, logs and counts when the code raises, keeping the map", () => {
    const { run, logs, failures } = setup(`task_id => "%{taskid}" code => "map['a'] = 1; fail 'Test'"`);
    const { event, matched } = run({ taskid: "id124" });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_aggregateexception"]);
    expect(failures).toEqual(["code_exception"]);
    expect(logs.some((line) => line.includes("Aggregate exception occurred: Test"))).toBe(true);
    expect(maps()?.size).toBe(1);
  });

  it("emits events made with new_event_block", () => {
    const { run, emitted } = setup(`task_id => "%{task_id}" timeout => 120
      code => "map['sql_duration'] = 2; new_event_block.call(LogStash::Event.new({:my_sql_duration => map['sql_duration']}))"`);
    run({ task_id: "1" });
    expect(emitted).toHaveLength(1);
    expect(emitted[0]!.get("my_sql_duration")).toBe(2);
  });

  it("gives the code map_meta with the task id and times", () => {
    const { run } = setup(
      `task_id => "%{id}" code => "event.set('meta', [map_meta.task_id, map_meta.creation_timestamp.to_i, map_meta.lastevent_timestamp.year])"`,
    );
    const { event } = run({ id: "t1" });
    expect(event.get("meta")).toEqual(["t1", clock / 1000, 2026]);
  });

  it("warns when a pattern holds map_count_warning_threshold maps, every threshold/5 events", () => {
    const count = (body: string, events: number) => {
      const { run, logs } = setup(body);
      for (let i = 0; i < events; i++) run({ warn_id: `task_${i}` });
      const warnings = logs.filter((line) => line.includes("Aggregate filter memory warning"));
      for (const filter of open) filter.close?.();
      open = [];
      return warnings;
    };
    expect(count(`task_id => "%{warn_id}" code => "" map_count_warning_threshold => 0`, 3)).toHaveLength(0);
    const once = count(`task_id => "%{warn_id}" code => "" map_count_warning_threshold => 3`, 4);
    expect(once).toHaveLength(1);
    expect(once[0]).toContain("has 3 maps in memory (threshold: 3)");
    expect(count(`task_id => "%{warn_id}" code => "" map_count_warning_threshold => 5`, 7)).toHaveLength(2);
  });
});

describe("aggregate filter: timeouts", () => {
  it("makes the first filter that flushes own a pattern without timeout options (default 1800 s)", () => {
    const start = setup(`task_id => "%{taskid}" code => "map['a'] = 1"`);
    const other = setup(`task_id => "%{taskid}" code => "map['b'] = 1"`);
    start.run({ taskid: "t" });
    expect(flush(start.filter)).toEqual([]);
    advance(1799);
    expect(flush(start.filter)).toEqual([]);
    expect(maps()?.size).toBe(1);
    advance(902);
    // Not the owner: never expires anything.
    expect(flush(other.filter)).toEqual([]);
    expect(maps()?.size).toBe(1);
    // Expired, but without push options nothing is pushed.
    expect(flush(start.filter)).toEqual([]);
    expect(maps()?.size).toBe(0);
  });

  it("expires maps only from the filter with the timeout options", () => {
    const { start, end } = sqlFilters();
    start.run({ taskid: "id_123" });
    advance(6);
    expect(flush(start.filter)).toEqual([]);
    expect(maps()?.size).toBe(1);
    const entries = flush(end.filter);
    expect(maps()?.size).toBe(0);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.get("my_id")).toBe("id_123");
    expect(entries[0]!.get("sql_duration")).toBe(0);
    expect(entries[0]!.get("test")).toBe("testValue");
    expect(entries[0]!.get("tags")).toEqual(["tag1", "tag2"]);
    expect(entries[0]!.get("@version")).toBe("1");
  });

  it("keeps maps that have not expired", () => {
    const { start, end } = sqlFilters();
    start.run({ taskid: "id_123" });
    advance(1);
    expect(flush(end.filter)).toEqual([]);
    expect(maps()?.size).toBe(1);
  });

  it("does not expire maps of another pattern", () => {
    const { start } = sqlFilters();
    const another = setup(`task_id => "%{another_taskid}" code => "" timeout => 1`);
    start.run({ taskid: "id_123" });
    advance(3);
    expect(flush(another.filter)).toEqual([]);
    expect(maps()?.size).toBe(1);
  });

  it("expires a map after inactivity_timeout, and keeps one that sees events", () => {
    const { start, update, end } = sqlFilters();
    start.run({ taskid: "busy" });
    start.run({ taskid: "idle" });
    for (let i = 0; i < 4; i++) {
      advance(1);
      update.run({ taskid: "busy", duration: 1 });
    }
    // 4 s: idle has had no event for more than 2 s; busy is younger than its 5 s timeout.
    const entries = flush(end.filter);
    expect(entries.map((e) => e.get("my_id"))).toEqual(["idle"]);
    expect([...(maps()?.keys() ?? [])]).toEqual(["busy"]);
    advance(1.5);
    update.run({ taskid: "busy", duration: 1 });
    // 5.5 s after creation: timeout expires it even though events keep coming.
    expect(flush(end.filter).map((e) => e.get("sql_duration"))).toEqual([5]);
    expect(maps()?.size).toBe(0);
  });

  it("checks for expired maps at most every inactivity_timeout/2 seconds, except at the final flush", () => {
    const push = setup(`task_id => "%{id}" code => "" timeout => 10 inactivity_timeout => 4
      push_map_as_event_on_timeout => true timeout_task_id_field => "id"`);
    push.run({ id: "a" });
    expect(flush(push.filter)).toEqual([]);
    advance(4.5);
    // The first check was 4.5 s ago (more than 2 s): this one runs, and a is inactive.
    expect(flush(push.filter).map((e) => e.get("id"))).toEqual(["a"]);
    advance(0.5);
    push.run({ id: "c" });
    advance(3);
    expect(flush(push.filter)).toEqual([]);
    advance(1.1);
    // c has been inactive for 4.1 s, but the last check was 1.1 s ago: skipped.
    expect(flush(push.filter)).toEqual([]);
    const final = flush(push.filter, true);
    expect(final.map((e) => [e.get("id"), e.get("tags")])).toEqual([["c", ["_aggregatefinalflush"]]]);
  });

  it("pushes nothing extra at the final flush with push_map_as_event_on_timeout alone (as Logstash)", () => {
    const push = setup(`task_id => "%{id}" code => "map['x'] = 1" push_map_as_event_on_timeout => true`);
    push.run({ id: "a" });
    expect(flush(push.filter, true)).toEqual([]);
    expect(maps("%{id}")?.size).toBe(1);
  });

  it("pushes the previous map when a new task starts (push_previous_map_as_event)", () => {
    const push = setup(`task_id => "%{ppm_id}" code => "map['ppm_id'] = event.get('ppm_id')"
      push_previous_map_as_event => true timeout => 5 timeout_task_id_field => "timeout_task_id_field"`);
    push.run({ ppm_id: "1" });
    expect(push.emitted).toHaveLength(0);
    push.run({ ppm_id: "1" });
    expect(push.emitted).toHaveLength(0);
    push.run({ ppm_id: "2" });
    expect(push.emitted).toHaveLength(1);
    expect(push.emitted[0]!.get("ppm_id")).toBe("1");
    expect(push.emitted[0]!.get("timeout_task_id_field")).toBe("1");
    expect(maps("%{ppm_id}")?.size).toBe(1);
  });

  it("pushes the last map on timeout with push_previous_map_as_event, running timeout_code", () => {
    const push = setup(`task_id => "%{ppm_id}" code => "map['ppm_id'] = event.get('ppm_id')"
      push_previous_map_as_event => true timeout => 1 timeout_code => "event.set('test', 'testValue')"`);
    push.run({ ppm_id: "1" });
    advance(2);
    const flushed = flush(push.filter);
    expect(flushed).toHaveLength(1);
    expect(flushed[0]!.get("ppm_id")).toBe("1");
    expect(flushed[0]!.get("test")).toBe("testValue");
    expect(maps("%{ppm_id}")?.size).toBe(0);
  });

  it("pushes the last map at the final flush, tagged _aggregatefinalflush", () => {
    const push = setup(`task_id => "%{ppm_id}" code => "" push_previous_map_as_event => true timeout => 4`);
    push.run({ ppm_id: "1" });
    expect(flush(push.filter, false)).toEqual([]);
    expect(maps("%{ppm_id}")?.size).toBe(1);
    const flushed = flush(push.filter, true);
    expect(flushed).toHaveLength(1);
    expect(flushed[0]!.get("tags")).toEqual(["_aggregatefinalflush"]);
    expect(maps("%{ppm_id}")?.size).toBe(0);
  });

  it("tags _aggregateexception on a pushed event whose timeout_code raises", () => {
    const push = setup(`task_id => "%{id}" code => "map['a'] = 1" push_map_as_event_on_timeout => true
      timeout => 1 timeout_code => "raise 'nope'"`);
    push.run({ id: "x" });
    advance(2);
    const [event] = flush(push.filter);
    expect(event!.get("a")).toBe(1);
    expect(event!.get("tags")).toEqual(["_aggregateexception"]);
    expect(push.failures).toEqual(["timeout_code_exception"]);
  });

  it("times out by the events' own timestamps with timeout_timestamp_field", () => {
    const agg = setup(`task_id => "%{ppm_id}" timeout_timestamp_field => "@timestamp"
      code => "map['sql_duration'] ||= 0; map['sql_duration'] += event.get('duration')"
      push_map_as_event_on_timeout => true timeout => 120`);
    const at = (iso: string) => Timestamp.parse(iso)!;
    agg.run({ ppm_id: "1", duration: 2, "@timestamp": at("2018-01-31T00:00:00Z") });
    agg.run({ ppm_id: "1", duration: 3, "@timestamp": at("2018-01-31T00:00:01Z") });
    expect(flush(agg.filter)).toEqual([]);
    expect(agg.emitted).toHaveLength(0);
    agg.run({ ppm_id: "1", duration: 4, "@timestamp": at("2018-01-31T00:05:00Z") });
    expect(agg.emitted).toHaveLength(1);
    expect(agg.emitted[0]!.get("sql_duration")).toBe(5);
    expect(maps("%{ppm_id}")?.size).toBe(1);
    expect(maps("%{ppm_id}")?.get("1")?.creationMs).toBe(at("2018-01-31T00:05:00Z").epochMs);
    const end = setup(`task_id => "%{ppm_id}" code => "event.set('total', map['sql_duration'])"`);
    expect(end.run({ ppm_id: "1", "@timestamp": at("2018-01-31T00:05:01Z") }).event.get("total")).toBe(4);
  });

  it("tags an event whose timeout_timestamp_field is not a timestamp", () => {
    const agg = setup(`task_id => "%{id}" timeout_timestamp_field => "when" code => "map['a'] = 1"`);
    const { event, matched } = agg.run({ id: "1", when: 42 });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_aggregateexception"]);
    expect(agg.failures).toEqual(["timeout_timestamp_field"]);
    expect(agg.run({ id: "1", when: "2018-01-31T00:00:00Z" }).matched).toBe(true);
  });

  it("pushes a map at once when the code sets map_meta.timeout = 0", () => {
    const agg = setup(`task_id => "%{ppm_id}" code => "map['sql_duration'] = 2; map_meta.timeout = 0"
      push_map_as_event_on_timeout => true timeout => 120`);
    agg.run({ ppm_id: "1" });
    expect(agg.emitted.map((e) => e.get("sql_duration"))).toEqual([2]);
    expect(maps("%{ppm_id}")?.size).toBe(0);
  });

  it("pushes a map at once on map_meta.timeout = 0 even with end_of_task", () => {
    const agg = setup(`task_id => "%{id}" code => "map['a'] = 2; map_meta.inactivity_timeout = 0"
      push_map_as_event_on_timeout => true end_of_task => true`);
    agg.run({ id: "1" });
    expect(agg.emitted.map((e) => e.get("a"))).toEqual([2]);
    expect(maps("%{id}")?.size).toBe(0);
  });

  it("drops a map silently on map_meta.timeout = 0 without push_map_as_event_on_timeout", () => {
    const agg = setup(`task_id => "%{ppm_id}" code => "map_meta.timeout = 0" timeout => 120`);
    agg.run({ ppm_id: "1" });
    expect(agg.emitted).toHaveLength(0);
    expect(maps("%{ppm_id}")?.size).toBe(0);
  });

  it("expires a map by its own map_meta.inactivity_timeout at the next flush", () => {
    const agg =
      setup(`task_id => "%{ppm_id}" code => "map['sql_duration'] = 2; map_meta.inactivity_timeout = 1"
      push_map_as_event_on_timeout => true timeout => 120`);
    agg.run({ ppm_id: "1" });
    expect(agg.emitted).toHaveLength(0);
    expect(flush(agg.filter)).toEqual([]);
    advance(2);
    expect(flush(agg.filter).map((e) => e.get("sql_duration"))).toEqual([2]);
    expect(maps("%{ppm_id}")?.size).toBe(0);
  });

  it("turns Ruby values of a pushed map into event values", () => {
    const agg = setup(`task_id => "%{id}" push_map_as_event_on_timeout => true timeout => 1
      code => "map[:sym] = :value; map['when'] = event.timestamp; map['t'] = Time.at(0); map['list'] = [1, {x: nil}]"`);
    const when = Timestamp.parse("2020-02-02T02:02:02.123Z")!;
    agg.run({ id: "1", "@timestamp": when });
    advance(2);
    const [event] = flush(agg.filter);
    expect(event!.get("sym")).toBe("value");
    expect(event!.get("when")).toBeInstanceOf(Timestamp);
    expect((event!.get("when") as Timestamp).toString()).toBe("2020-02-02T02:02:02.123Z");
    expect((event!.get("t") as Timestamp).epochMs).toBe(0);
    expect(event!.get("list")).toEqual([1, { x: null }]);
  });
});

describe("aggregate filter: aggregate_maps_path and reload", () => {
  it("stores the maps at close and loads them (then deletes the file) at the next register", () => {
    const file = join(dir, "aggregate_maps");
    const body = `task_id => "%{taskid}" aggregate_maps_path => "${file}"
      code => "map['n'] ||= 0; map['n'] += 1; map['at'] ||= event.timestamp; event.set('n', map['n'])"`;
    const other = setup(`task_id => "%{one_special_field}" code => "map['x'] = 1"`);
    const store = setup(body);
    const when = Timestamp.parse("2021-03-04T05:06:07.089Z")!;
    store.run({ taskid: 124, "@timestamp": when });
    other.run({ one_special_field: "o" });
    expect(existsSync(file)).toBe(false);
    other.filter.close?.();
    store.filter.close?.();
    open = [];
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8")).format).toBe("sluice-aggregate-maps");
    expect(aggregatesOf("test")).toBeUndefined();

    const reopened = setup(body);
    expect(existsSync(file)).toBe(false);
    expect(maps()?.get("124")?.creationMs).toBe(clock);
    expect(maps("%{one_special_field}")?.size).toBe(1);
    expect(reopened.run({ taskid: 124 }).event.get("n")).toBe(2);
    expect(reopened.logs.some((line) => line.includes("Aggregate maps loaded from"))).toBe(true);
    const push = setup(
      `task_id => "%{taskid}" code => "" push_map_as_event_on_timeout => true timeout => 60`,
    );
    advance(61);
    const [event] = flush(push.filter);
    expect(event!.get("n")).toBe(2);
    expect((event!.get("at") as Timestamp).toString()).toBe("2021-03-04T05:06:07.089Z");
  });

  it("writes no file when there are no maps", () => {
    const file = join(dir, "empty_maps");
    setup(`task_id => "%{taskid}" code => "" aggregate_maps_path => "${file}"`);
    for (const filter of open) filter.close?.();
    open = [];
    expect(existsSync(file)).toBe(false);
  });

  it("starts afresh after every filter of the pipeline closed (a reload)", () => {
    const first = setup(`task_id => "%{id}" code => "map['n'] = 1"`);
    first.run({ id: "a" });
    first.filter.close?.();
    open = [];
    expect(aggregatesOf("test")).toBeUndefined();
    const again = setup(`task_id => "%{id}" code => "event.set('had', map['n'])"`);
    expect(again.run({ id: "a" }).event.get("had")).toBeNull();
  });
});
