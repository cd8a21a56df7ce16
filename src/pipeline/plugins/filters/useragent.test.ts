import { describe, expect, it } from "vitest";
import { filterHarness } from "./testing.js";
import { useragentFilter } from "./useragent.js";

const SPEC = useragentFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);
const chrome =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.90 Safari/537.36";
const iphone =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 14_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.3 Mobile/15E148 Safari/604.1";
const firefoxMac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7; rv:86.0) Gecko/20100101 Firefox/86.0";

describe("useragent filter", () => {
  it("writes ECS fields under [user_agent] with version parts in @metadata", () => {
    const { run } = setup(`source => "agent"`, "v8");
    const { event, matched } = run({ agent: chrome });
    expect(matched).toBe(true);
    expect(event.get("user_agent")).toEqual({
      name: "Chrome",
      version: "89.0.4389.90",
      device: { name: "Other" },
      os: { name: "Windows", version: "10", full: "Windows 10" },
    });
    expect(event.get("[@metadata][filter][user_agent][version]")).toEqual({
      major: "89",
      minor: "0",
      patch: "4389",
    });
    expect(event.get("[@metadata][filter][user_agent][os][version][major]")).toBe("10");
  });

  it("writes legacy fields at the root (or under target) with ECS off", () => {
    const { run } = setup(`source => "agent"`);
    const { event } = run({ agent: iphone });
    expect(event.get("name")).toBe("Mobile Safari");
    expect(event.get("device")).toBe("iPhone");
    expect(event.get("version")).toBe("14.0.3");
    expect([event.get("major"), event.get("minor"), event.get("patch")]).toEqual(["14", "0", "3"]);
    expect(event.get("os_name")).toBe("iOS");
    expect(event.get("os")).toBe("iOS");
    expect(event.get("os_version")).toBe("14.4");
    expect(event.get("os_full")).toBe("iOS 14.4");
    expect([event.get("os_major"), event.get("os_minor")]).toEqual(["14", "4"]);
    const targeted = setup(`source => "agent" target => "ua" prefix => "p_"`).run({
      agent: firefoxMac,
    }).event;
    expect(targeted.get("[ua][p_name]")).toBe("Firefox");
    expect(targeted.get("[ua][p_os_name]")).toBe("Mac OS X");
    expect(targeted.get("[ua][p_os_full]")).toBe("Mac OS X 10.15.7");
    expect(targeted.get("[ua][p_device]")).toBe("Mac");
  });

  it("names crawlers and CLI tools; an unknown agent is Other", () => {
    const { run } = setup(`source => "agent"`, "v8");
    const bot = run({
      agent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    }).event;
    expect(bot.get("[user_agent][name]")).toBe("Googlebot");
    expect(bot.get("[user_agent][device][name]")).toBe("Spider");
    expect(run({ agent: "curl/7.68.0" }).event.get("[user_agent][name]")).toBe("curl");
    const unknown = run({ agent: "garbage" }).event;
    expect(unknown.get("[user_agent][name]")).toBe("Other");
    expect(unknown.get("[user_agent][os][full]")).toBe("Other");
    expect(unknown.includes("[user_agent][version]")).toBe(false);
  });

  it("takes the first element of an array; skips empty and absent sources", () => {
    const { run } = setup(`source => "agent" target => "[ua]"`);
    expect(run({ agent: [chrome, "x"] }).event.get("[ua][name]")).toBe("Chrome");
    expect(run({ agent: "" }).matched).toBe(false);
    expect(run({}).matched).toBe(false);
  });

  it("target == source replaces the source with the parsed object", () => {
    const { event } = setup(`source => "agent" target => "agent"`).run({ agent: chrome });
    expect(event.get("[agent][name]")).toBe("Chrome");
  });

  it("warns about regexes (ignored) and about prefix under ECS; caches up to lru_cache_size", () => {
    const { logs, run, filter } = setup(
      `source => "a" regexes => "/tmp/regexes.yaml" prefix => "x" lru_cache_size => 1`,
      "v8",
    );
    expect(logs.some((l) => l.includes("`regexes` option is not supported"))).toBe(true);
    expect(logs.some((l) => l.includes("prefix isn't supported"))).toBe(true);
    run({ a: chrome });
    run({ a: iphone });
    expect((filter as unknown as { cache: Map<string, unknown> }).cache.size).toBe(1);
    expect(run({ a: chrome }).event.get("[user_agent][name]")).toBe("Chrome");
    expect(diagnosticsOf("").map((d) => d.code)).toEqual(["missing-option"]);
    expect(refused(`source => "a"`)).toBe("accepted");
  });
});
