import { describe, expect, it } from "vitest";
import { buildProgram } from "../main.js";

describe("sluice test registration", () => {
  it("offers the test command with its LFV options", () => {
    const command = buildProgram().commands.find((c) => c.name() === "test");
    expect(command).toBeDefined();
    const flags = command!.options.map((o) => o.long);
    expect(flags).toEqual(["--pipelines", "--pipeline-base", "--mock", "--debug"]);
  });
});
