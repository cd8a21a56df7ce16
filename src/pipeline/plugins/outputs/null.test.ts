import { describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { ResolvedOptions } from "../options.js";
import { quietContext } from "../registry.js";
import { type NullOutput, nullOutput } from "./null.js";

describe("null output", () => {
  it("accepts and counts every event, and closes twice", async () => {
    const options = ResolvedOptions.of({});
    const output = nullOutput.create(options, quietContext(nullOutput, options)) as NullOutput;
    await output.receive([new Event({ message: "a" }), new Event({ message: "b" })]);
    await output.receive([]);
    expect(output.received).toBe(2);
    await output.close();
    await output.close();
    expect(nullOutput.defaultCodec).toBe("plain");
    expect(Object.keys(nullOutput.options)).toEqual([]);
  });
});
