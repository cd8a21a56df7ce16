import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { quietContext } from "../registry.js";
import { pruneFilter } from "./prune.js";

const defaults = {
  interpolate: false,
  whitelist_names: [],
  blacklist_names: ["%\\{[^}]+\\}"],
  whitelist_values: {},
  blacklist_values: {},
};

const person = {
  firstname: "Borat",
  lastname: "Sagdiyev",
  fullname: "Borat Sagdiyev",
  hobby: "Cloud",
  status: "200",
  Borat_saying: "Cloud is not ready for enterprise",
};

function run(values: Record<string, OptionValue>, data: Record<string, unknown> = person) {
  const options = ResolvedOptions.of({ ...defaults, ...values });
  const filter = pruneFilter.create(options, quietContext(pruneFilter, options));
  const event = new Event(data);
  const matched = filter.filter(event, () => {});
  return { event, matched };
}

function keys(event: Event): string[] {
  return Object.keys(event.toObject({ includeMetadata: true })).sort();
}

describe("prune filter", () => {
  it("by default keeps everything but unresolved %{field} names, and always matches", () => {
    const { event, matched } = run({}, { ...person, "%{hmm}": "doh" });
    expect(matched).toBe(true);
    expect(event.includes("%{hmm}")).toBe(false);
    expect(keys(event)).toEqual([...Object.keys(person), "@timestamp", "@version"].sort());
  });

  it("whitelist_names keeps only matching fields, @timestamp and @version included, but not [@metadata]", () => {
    const { event } = run(
      { whitelist_names: ["firstname", "(hobby|status)", "%{firstname}_saying"] },
      { ...person, "@metadata": { keep: 1 } },
    );
    expect(keys(event)).toEqual(["@metadata", "firstname", "hobby", "status"]);
    const anchored = run({ whitelist_names: ["^name$", "^@timestamp$"] }, { name: 1, name_long: 2 });
    expect(keys(anchored.event)).toEqual(["@timestamp", "name"]);
  });

  it("interpolate expands %{field} in names before matching", () => {
    const { event } = run({ whitelist_names: ["^firstname$", "%{firstname}_saying"], interpolate: true });
    expect(keys(event)).toEqual(["Borat_saying", "firstname"]);
  });

  it("blacklist_names removes matching fields", () => {
    const { event } = run({ blacklist_names: ["firstname", "(hobby|status)"] });
    expect(keys(event)).toEqual(["@timestamp", "@version", "Borat_saying", "fullname", "lastname"]);
    const interpolated = run({ blacklist_names: ["%{firstname}_saying"], interpolate: true });
    expect(interpolated.event.includes("Borat_saying")).toBe(false);
  });

  it("whitelist_values removes listed fields whose value does not match", () => {
    const { event } = run({
      whitelist_values: { firstname: "^Borat$", fullname: "no", status: "^2", absent: "x" },
    });
    expect(event.get("firstname")).toBe("Borat");
    expect(event.get("status")).toBe("200");
    expect(event.includes("fullname")).toBe(false);
    expect(event.get("lastname")).toBe("Sagdiyev");
  });

  it("whitelist_values with interpolation", () => {
    const { event } = run({
      whitelist_values: { "%{firstname}_saying": "%{hobby}.*ready" },
      interpolate: true,
    });
    expect(event.includes("Borat_saying")).toBe(true);
    const dropped = run({ whitelist_values: { "%{firstname}_saying": "^%{lastname}" }, interpolate: true });
    expect(dropped.event.includes("Borat_saying")).toBe(false);
  });

  it("blacklist_values removes listed fields whose value matches", () => {
    const { event } = run({ blacklist_values: { firstname: "^Borat$", status: "^5" } });
    expect(event.includes("firstname")).toBe(false);
    expect(event.get("status")).toBe("200");
  });

  it("array values lose only the offending elements; all offending removes the field", () => {
    const data = { tags: ["keep", "drop1", "drop2", "keep"], list: ["a", "b"] };
    const black = run({ blacklist_values: { tags: "^drop", list: "." } }, data);
    expect(black.event.get("tags")).toEqual(["keep", "keep"]);
    expect(black.event.includes("list")).toBe(false);
    const white = run({ whitelist_values: { tags: "^keep$" } }, data);
    expect(white.event.get("tags")).toEqual(["keep", "keep"]);
  });

  it("a non-text value under a value rule is an error, as String#match is in Logstash", () => {
    expect(() => run({ blacklist_values: { n: "1" } }, { n: 1 })).toThrow(/not a string/);
  });

  it("refuses an invalid regular expression at create time", () => {
    expect(() => run({ whitelist_names: ["(unclosed"] })).toThrow(/invalid regexp/);
    expect(() => run({ blacklist_values: { a: "[" } })).toThrow(/invalid regexp/);
  });

  it("declares Logstash's options and defaults", () => {
    expect(pruneFilter.options.blacklist_names?.default).toEqual(["%\\{[^}]+\\}"]);
    expect(pruneFilter.options.whitelist_names?.default).toEqual([]);
    expect(pruneFilter.options.interpolate?.default).toBe(false);
    expect(pruneFilter.options.whitelist_values?.type).toBe("hash");
    expect(pruneFilter.options.blacklist_values?.type).toBe("hash");
  });
});
