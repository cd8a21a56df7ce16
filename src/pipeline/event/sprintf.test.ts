import { describe, expect, it } from "vitest";
import { compileDatePattern } from "./date-format.js";
import { Event } from "./event.js";
import { Timestamp } from "./timestamp.js";

const event = () =>
  new Event({
    "@timestamp": "2024-01-02T03:04:05.123456Z",
    host: "web-1",
    n: 42,
    f: 1.5,
    ok: true,
    nil: null,
    list: ["a", "b", 3],
    obj: { k: "v", n: 1 },
    nested: { a: { b: "deep" } },
  });

describe("sprintf", () => {
  it.each([
    ["plain text", "plain text"],
    ["%{host}", "web-1"],
    ["%{[host]}", "web-1"],
    ["%{host}-%{+YYYY.MM.dd}", "web-1-2024.01.02"],
    ["%{[nested][a][b]}", "deep"],
    ["%{n} %{f} %{ok}", "42 1.5 true"],
    ["%{list}", "a,b,3"],
    ["%{[list][1]}", "b"],
    ["%{obj}", '{"k":"v","n":1}'],
    ["%{missing} and %{[nested][x]}", "%{missing} and %{[nested][x]}"],
    ["%{nil}", "%{nil}"],
    ["%{[bad}", "%{[bad}"],
    ["%{@timestamp}", "2024-01-02T03:04:05.123456Z"],
    ["%{+%s}", "1704164645"],
    ["%{+HH:mm:ss.SSS}", "03:04:05.123"],
    ["%{+SSSSSS}", "123000"],
    ["%{{SSSSSS}}", "123456"],
    ["%{{yyyy-MM-dd'T'HH:mm}}", "2024-01-02T03:04"],
    ["%{+yyyy-MM-dd'T'HH:mm:ssZ}", "2024-01-02T03:04:05+0000"],
    ["%{+ZZ}", "+00:00"],
    ["%{+EEE, dd MMM yyyy}", "Tue, 02 Jan 2024"],
    ["%{+EEEE MMMM}", "Tuesday January"],
    ["%{{EEEE}}", "Tuesday"],
    ["%{+h a}", "3 AM"],
    ["%{+'quoted ''x'''}", "quoted 'x'"],
    ["%{+qq}", "%{+qq}"],
    ["unclosed %{host", "unclosed %{host"],
    ["%%{host}%", "%web-1%"],
    ["%{host}%{host}", "web-1web-1"],
  ])("%s → %s", (template, expected) => {
    expect(event().sprintf(template)).toBe(expected);
  });

  it("leaves date placeholders when @timestamp was removed", () => {
    const e = event();
    e.remove("@timestamp");
    expect(e.sprintf("%{+YYYY} %{+%s} %{{yyyy}}")).toBe("%{+YYYY} %{+%s} %{{yyyy}}");
  });

  it("renders each event's own values through one cached template", () => {
    const a = new Event({ "@timestamp": "2024-01-02T00:00:00Z", host: "a" });
    const b = new Event({ "@timestamp": "2025-12-31T23:59:59Z", host: "b" });
    expect([a, b, a].map((e) => e.sprintf("%{host}-%{+YYYY.MM.dd}"))).toEqual([
      "a-2024.01.02",
      "b-2025.12.31",
      "a-2024.01.02",
    ]);
  });

  it("runs a typical index template fast", () => {
    const e = event();
    const n = 200_000;
    const start = performance.now();
    let length = 0;
    for (let i = 0; i < n; i++) length += e.sprintf("%{host}-%{+YYYY.MM.dd}").length;
    const perSecond = n / ((performance.now() - start) / 1000);
    expect(length).toBe(n * "web-1-2024.01.02".length);
    console.log(`sprintf %{host}-%{+YYYY.MM.dd}: ${Math.round(perSecond)} evaluations/s`);
    expect(perSecond).toBeGreaterThan(100_000);
  });
});

describe("date patterns", () => {
  // 2021-01-01 is a Friday in ISO week 53 of 2020.
  const newYear = Timestamp.parse("2021-01-01T13:05:09.007Z")!;
  it.each([
    ["joda", "YYYY", "2021"],
    ["joda", "yyyy", "2021"],
    ["joda", "yy", "21"],
    ["joda", "xxxx-'W'ww-e", "2020-W53-5"],
    ["joda", "D", "1"],
    ["joda", "DDD", "001"],
    ["joda", "K h H k", "1 1 13 13"],
    ["joda", "z ZZZ", "UTC UTC"],
    ["joda", "S", "0"],
    ["java", "YYYY-'W'ww-e", "2020-W53-5"],
    ["java", "uuuu yyyy yy", "2021 2021 21"],
    ["java", "QQQ Q", "Q1 1"],
    ["java", "XXX xxx Z", "Z +00:00 +0000"],
    ["java", "[yyyy]", "2021"],
    ["java", "n", "7000000"],
    ["java", "A", "47109007"],
  ] as const)("%s %s → %s", (dialect, pattern, expected) => {
    const print = compileDatePattern(pattern, dialect);
    expect(typeof print).toBe("function");
    if (typeof print === "function") expect(print(newYear)).toBe(expected);
  });

  it.each([
    ["joda", "qq"],
    ["java", "yyyy#"],
    ["java", "bb"],
  ] as const)("%s rejects %s", (dialect, pattern) => {
    expect(compileDatePattern(pattern, dialect)).toHaveProperty("error");
  });
});
