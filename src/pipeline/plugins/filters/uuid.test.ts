import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { ResolvedOptions } from "../options.js";
import { quietContext } from "../registry.js";
import { uuidFilter } from "./uuid.js";

const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function make(target: string, overwrite = false) {
  const options = ResolvedOptions.of({ target, overwrite });
  return uuidFilter.create(options, quietContext(uuidFilter, options));
}

describe("uuid filter", () => {
  it("writes a fresh v4 UUID to the target and matches", () => {
    const filter = make("[event][id]");
    const a = new Event({});
    const b = new Event({});
    expect(filter.filter(a, () => {})).toBe(true);
    filter.filter(b, () => {});
    expect(a.get("[event][id]")).toMatch(v4);
    expect(b.get("[event][id]")).toMatch(v4);
    expect(a.get("[event][id]")).not.toBe(b.get("[event][id]"));
  });

  it("keeps an existing value unless overwrite; null counts as absent", () => {
    const keep = new Event({ uid: "mine" });
    expect(make("uid").filter(keep, () => {})).toBe(true);
    expect(keep.get("uid")).toBe("mine");
    const replaced = new Event({ uid: "mine" });
    make("uid", true).filter(replaced, () => {});
    expect(replaced.get("uid")).toMatch(v4);
    const nulled = new Event({ uid: null });
    make("uid").filter(nulled, () => {});
    expect(nulled.get("uid")).toMatch(v4);
  });

  it("declares target (required) and overwrite (false)", () => {
    expect(uuidFilter.options.target).toMatchObject({ type: "string", required: true });
    expect(uuidFilter.options.overwrite).toMatchObject({ type: "boolean", default: false });
  });
});
