import { describe, expect, it } from "vitest";
import { filterHarness } from "./testing.js";
import { hostnameParts, tldFilter } from "./tld.js";

const { setup, configure } = filterHarness(tldFilter);

const parts = (tld: string, sld: string, trd: string | null) => {
  const domain = `${sld}.${tld}`;
  return {
    tld,
    sld,
    trd,
    domain,
    subdomain: trd === null ? null : `${trd}.${domain}`,
    top_level_domain: tld,
  };
};

describe("tld filter", () => {
  it("defaults source to message and target to tld", () => {
    const { options } = configure("");
    expect(options.string("source")).toBe("message");
    expect(options.string("target")).toBe("tld");
    const { run } = setup("");
    const { event, matched } = run({ message: "www.google.com" });
    expect(matched).toBe(true);
    expect(event.get("tld")).toEqual(parts("com", "google", "www"));
  });

  it.each([
    ["google.com", parts("com", "google", null)],
    ["google.co.uk", parts("co.uk", "google", null)],
    ["www.google.com", parts("com", "google", "www")],
    ["foo.bar.google.es", parts("es", "google", "foo.bar")],
    ["news.bbc.co.uk", parts("co.uk", "bbc", "news")],
    // Private section: public_suffix includes it by default.
    ["foo.blogspot.com", parts("blogspot.com", "foo", null)],
    ["a.b.github.io", parts("github.io", "b", "a")],
    // Wildcard (*.ck) and exception (!www.ck) rules.
    ["a.b.foo.ck", parts("foo.ck", "b", "a")],
    ["www.ck", parts("ck", "www", null)],
    // IDN in Unicode; normalisation (case, spaces, one trailing dot).
    ["www.例子.中国", parts("中国", "例子", "www")],
    ["  WWW.Google.COM. ", parts("com", "google", "www")],
  ])("splits %s", (hostname, expected) => {
    const { run } = setup(`source => "host" target => "[dns][parts]"`);
    const { event, matched } = run({ host: hostname });
    expect(matched).toBe(true);
    expect(event.get("[dns][parts]")).toEqual(expected);
  });

  it.each([
    ["an IPv4 address", "192.168.1.1"],
    ["an IPv6 address", "::1"],
    ["an unknown suffix", "foo.unknowntld"],
    ["a bare suffix", "co.uk"],
    ["a wildcard suffix alone", "foo.ck"],
    ["a punycode suffix (public_suffix matches Unicode only)", "xn--fsqu00a.xn--fiqs8s"],
    ["a URL", "http://www.google.com"],
    ["a name starting with a dot", ".google.com"],
    ["an empty string", ""],
    ["a blank string", "   "],
    ["a number", 42],
    ["an array", ["www.google.com"]],
  ])("leaves %s alone, unmatched", (_what, value) => {
    const { run, failures } = setup("");
    const { event, matched } = run({ message: value });
    expect(matched).toBe(false);
    expect(event.includes("tld")).toBe(false);
    expect(failures).toEqual([]);
  });

  it("leaves an event without the source field alone", () => {
    const { run } = setup(`source => "host"`);
    const { event, matched } = run({ message: "www.google.com" });
    expect(matched).toBe(false);
    expect(event.includes("tld")).toBe(false);
  });

  it("replaces whatever the target held", () => {
    const { run } = setup(`target => "message"`);
    const { event } = run({ message: "shop.example.org" });
    expect(event.get("message")).toEqual(parts("org", "example", "shop"));
  });

  it("counts and logs a target it cannot set, without throwing", () => {
    const { run, failures, logs } = setup(`target => "[message][parts]"`);
    const { event, matched } = run({ message: "www.google.com" });
    expect(matched).toBe(false);
    expect(event.get("message")).toBe("www.google.com");
    expect(failures).toEqual(["target_not_settable"]);
    expect(logs.some((line) => line.includes("cannot set"))).toBe(true);
  });

  it("exposes the split for other code", () => {
    expect(hostnameParts("mail.google.com")?.subdomain).toBe("mail.google.com");
    expect(hostnameParts(undefined)).toBeUndefined();
  });
});
