import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { esBulkCodec } from "./es_bulk.js";
import { decodeAll, makeCodec, recordingContext } from "./test-support.js";

const body = [
  '{ "index" : { "_index" : "test", "_type" : "type1", "_id" : "1" } }',
  '{ "field1" : "value1" }',
  '{ "delete" : { "_index" : "test", "_type" : "type1", "_id" : "2" } }',
  '{ "create" : { "_index" : "test", "_type" : "type1", "_id" : "3" } }',
  '{ "field1" : "value3" }',
  '{ "update" : {"_id" : "1", "_type" : "type1", "_index" : "index1"} }',
  '{ "doc" : {"field2" : "value2"} }',
  "",
].join("\n");

describe("es_bulk codec", () => {
  it("decodes a bulk body into one event per document, metadata under [@metadata][codec][es_bulk] with ECS", () => {
    for (const ecs of ["v1", "v8"] as const) {
      const events = decodeAll(makeCodec(esBulkCodec, {}, recordingContext(ecs)), [body]);
      const meta = "[@metadata][codec][es_bulk]";
      expect(events).toHaveLength(4);
      expect(events.map((e) => e.get(`${meta}[action]`))).toEqual(["index", "delete", "create", "update"]);
      expect(events.map((e) => e.get(`${meta}[_id]`))).toEqual(["1", "2", "3", "1"]);
      expect(events[0]!.get(`${meta}[_index]`)).toBe("test");
      expect(events[0]!.get("field1")).toBe("value1");
      expect(events[1]!.get("field1")).toBeUndefined();
      expect(events[2]!.get("field1")).toBe("value3");
      expect(events[3]!.get("[doc][field2]")).toBe("value2");
    }
  });

  it("puts metadata directly under [@metadata] with ecs_compatibility disabled", () => {
    const events = decodeAll(makeCodec(esBulkCodec, {}, recordingContext("disabled")), [body]);
    expect(events[0]!.get("[@metadata]")).toEqual({
      _index: "test",
      _type: "type1",
      _id: "1",
      action: "index",
    });
    expect(events[0]!.toObject()["@metadata"]).toBeUndefined();
  });

  it("puts documents under target; a delete gets an empty target", () => {
    const events = decodeAll(makeCodec(esBulkCodec, { target: "[document]" }), [body]);
    expect(events[0]!.get("[document][field1]")).toBe("value1");
    expect(events[0]!.includes("field1")).toBe(false);
    expect(events[1]!.get("[document]")).toEqual({});
  });

  it("keeps action and source paired across writes and emits a last line without newline at end", () => {
    const events = decodeAll(makeCodec(esBulkCodec), [
      '{"index":{"_id":"a"}}\n{"x"',
      ':1}\n{"index":{}}\n{"y":2}',
    ]);
    expect(events.map((e) => e.get("x") ?? e.get("y"))).toEqual([1, 2]);
    expect(events[1]!.get("[@metadata][codec][es_bulk]")).toEqual({ action: "index" });
  });

  it("drops a line that is not JSON, logs it and goes on in the same state", () => {
    const context = recordingContext();
    const events = decodeAll(makeCodec(esBulkCodec, {}, context), [
      'something that isn\'t a bulk event\n{"index":{"_id":"1"}}\nnot json\n{"a":1}\n',
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]!.get("a")).toBe(1);
    expect(events[0]!.get("[@metadata][codec][es_bulk][_id]")).toBe("1");
    expect(context.failures).toEqual(["es_bulk_parse", "es_bulk_parse"]);
    expect(context.lines.join("\n")).toMatch(/ES Bulk messages must/);
  });

  it("drops an action line that is not {action: {...}} and a source line that is not an object", () => {
    const context = recordingContext();
    const events = decodeAll(makeCodec(esBulkCodec, {}, context), [
      '{"index":5}\n[1]\n{"index":{}}\n[2]\n{"index":{}}\n{"ok":true}\n',
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]!.get("ok")).toBe(true);
    expect(context.failures).toHaveLength(3);
  });

  it("cannot encode: writes nothing and logs once", () => {
    const context = recordingContext();
    const codec = makeCodec(esBulkCodec, {}, context);
    expect(codec.encode(new Event({ a: 1 }))).toBe("");
    expect(codec.encode(new Event({ a: 2 }))).toBe("");
    expect(context.failures).toEqual(["encode_not_supported", "encode_not_supported"]);
    expect(context.lines.filter((line) => line.includes("cannot encode"))).toHaveLength(1);
  });
});
