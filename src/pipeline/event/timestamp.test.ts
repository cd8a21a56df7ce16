import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Timestamp } from "./timestamp.js";

describe("Timestamp.parse and toString", () => {
  it.each([
    ["2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05.123Z"],
    ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000Z"],
    ["2024-01-02T03:04:05.1Z", "2024-01-02T03:04:05.100Z"],
    ["2024-01-02T03:04:05.1234Z", "2024-01-02T03:04:05.123400Z"],
    ["2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05.123456Z"],
    ["2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05.123456789Z"],
    ["2024-01-02T03:04:05.1234567891Z", "2024-01-02T03:04:05.123456789Z"],
    ["2024-01-02T03:04:05.123000Z", "2024-01-02T03:04:05.123Z"],
    ["2024-01-02T04:04:05.5+01:00", "2024-01-02T03:04:05.500Z"],
    ["2024-01-02T01:34:05-0130", "2024-01-02T03:04:05.000Z"],
    ["2024-01-02 03:04:05", "2024-01-02T03:04:05.000Z"],
    ["2024-01-02", "2024-01-02T00:00:00.000Z"],
    ["0050-06-01T00:00:00Z", "0050-06-01T00:00:00.000Z"],
    ["1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z"],
  ])("%s prints %s", (text, printed) => {
    expect(Timestamp.parse(text)?.toString()).toBe(printed);
  });

  it.each([
    "",
    "yesterday",
    "2024-13-01T00:00:00Z",
    "2023-02-29",
    "2024-01-02T24:00:00Z",
    "2024-01-02T03:04:05.Z",
  ])("rejects %j", (text) => {
    expect(Timestamp.parse(text)).toBeUndefined();
  });

  it("round-trips through its own text", () => {
    for (const ms of [0, 1, -1, 1_704_164_645_123, -86_400_001]) {
      for (const nanos of [0, 1, 400, 999_999]) {
        const t = new Timestamp(ms, nanos);
        const back = Timestamp.parse(t.toString());
        expect(back?.equals(t)).toBe(true);
      }
    }
  });

  it("splits pre-1970 instants with the fraction counted forwards", () => {
    const t = Timestamp.parse("1969-12-31T23:59:59.250Z")!;
    expect(t.epochMs).toBe(-750);
    expect(t.nanosOfSecond).toBe(250_000_000);
    expect(t.epochSeconds).toBe(-1);
  });

  it("serialises as its text in JSON", () => {
    expect(JSON.stringify({ t: new Timestamp(0) })).toBe('{"t":"1970-01-01T00:00:00.000Z"}');
  });
});

describe("Timestamp.toString agrees with Date's ISO text", () => {
  it("prints any millisecond instant as toISOString does, across days, years and before 1970", () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (epochMs) => {
        expect(new Timestamp(epochMs).toString()).toBe(new Date(epochMs).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it("keeps sub-millisecond digits in groups of three", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e13, max: 1e13 }),
        fc.integer({ min: 1, max: 999_999 }),
        (ms, nanos) => {
          const iso = new Date(ms).toISOString();
          const digits = String(nanos).padStart(6, "0");
          const expected = nanos % 1000 === 0 ? digits.slice(0, 3) : digits;
          expect(new Timestamp(ms, nanos).toString()).toBe(`${iso.slice(0, -1)}${expected}Z`);
        },
      ),
    );
  });
});
