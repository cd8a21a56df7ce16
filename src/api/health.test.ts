import { describe, expect, it } from "vitest";
import { pipelineIndicator, rollUpSymptom, worst } from "./health.js";

describe("health indicators", () => {
  it("maps each run state to Logstash's status, impact and diagnosis", () => {
    expect(pipelineIndicator("running").status).toBe("green");
    expect(pipelineIndicator("loading")).toMatchObject({
      status: "yellow",
      impacts: [{ severity: 1, description: "pipeline is loading" }],
      diagnosis: [{ cause: "pipeline is loading", action: "check logs" }],
    });
    expect(pipelineIndicator("terminated")).toMatchObject({
      status: "red",
      symptom: "The pipeline is unhealthy; 1 area is impacted and 1 diagnosis is available.",
      details: { run_state: "TERMINATED" },
    });
    expect(pipelineIndicator("unknown").status).toBe("unknown");
    expect(pipelineIndicator("running").diagnosis).toBeUndefined();
  });

  it("takes the worst status, unknown when there is none", () => {
    expect(worst([])).toBe("unknown");
    expect(worst(["green", "unknown"])).toBe("green");
    expect(worst(["green", "red", "yellow"])).toBe("red");
  });

  it("words the roll-up worst first, with Logstash's commas and 'and'", () => {
    expect(rollUpSymptom({})).toBe("no indicators");
    expect(rollUpSymptom({ a: { status: "green" }, b: { status: "green" } })).toBe(
      "2 indicators are healthy (`a`, `b`)",
    );
    expect(rollUpSymptom({ a: { status: "green" }, b: { status: "red" }, c: { status: "yellow" } })).toBe(
      "1 indicator is unhealthy (`b`), 1 indicator is degraded or at risk of becoming unhealthy (`c`), and 1 indicator is healthy (`a`)",
    );
  });
});
