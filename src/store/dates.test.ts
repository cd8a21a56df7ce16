import { describe, expect, it } from "vitest";
import { looksLikeDate, parseDateValue, parseIsoDate, resolveDateMath, truncateDate } from "./dates.js";

describe("dates", () => {
  it("parses strict_date_optional_time forms and zones", () => {
    expect(parseIsoDate("2024-03-05")).toBe(Date.UTC(2024, 2, 5));
    expect(parseIsoDate("2024-03-05T10:11:12.345Z")).toBe(Date.UTC(2024, 2, 5, 10, 11, 12, 345));
    expect(parseIsoDate("2024-03-05T10:11:12+02:00")).toBe(Date.UTC(2024, 2, 5, 8, 11, 12));
    expect(parseIsoDate("2024-13-05")).toBeNull();
    expect(parseIsoDate("hello")).toBeNull();
  });

  it("fills missing components of an upper bound with their last value", () => {
    expect(parseIsoDate("2024-03-05", true)).toBe(Date.UTC(2024, 2, 5, 23, 59, 59, 999));
  });

  it("detects dates like dynamic mapping does", () => {
    expect(looksLikeDate("2024-01-01T00:00:00Z")).toBe(true);
    expect(looksLikeDate("2024/01/01")).toBe(true);
    expect(looksLikeDate("12345")).toBe(false);
    expect(looksLikeDate("not a date")).toBe(false);
  });

  it("accepts epoch millis", () => {
    expect(parseDateValue(1700000000000)).toBe(1700000000000);
    expect(parseDateValue("1700000000000")).toBe(1700000000000);
  });

  it("resolves date math with rounding", () => {
    const now = Date.UTC(2024, 5, 15, 13, 30);
    expect(resolveDateMath("now", now)).toBe(now);
    expect(resolveDateMath("now-1d/d", now)).toBe(Date.UTC(2024, 5, 14));
    expect(resolveDateMath("now-1d/d", now, true)).toBe(Date.UTC(2024, 5, 15) - 1);
    expect(resolveDateMath("now+1M/M", now)).toBe(Date.UTC(2024, 6, 1));
    expect(resolveDateMath("2024-01-31||+1M", now)).toBe(Date.UTC(2024, 2, 2));
    expect(resolveDateMath("now-2h", now)).toBe(now - 7_200_000);
    expect(resolveDateMath("now-1x", now)).toBeNull();
  });

  it("truncates to ISO weeks starting Monday", () => {
    expect(truncateDate(Date.UTC(2024, 0, 7, 12), "w")).toBe(Date.UTC(2024, 0, 1));
    expect(truncateDate(Date.UTC(2024, 4, 17), "q")).toBe(Date.UTC(2024, 3, 1));
  });
});
