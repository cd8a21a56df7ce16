import { describe, expect, it } from "vitest";
import { syslogPriFilter } from "./syslog_pri.js";
import { filterHarness } from "./testing.js";

const SPEC = syslogPriFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

describe("syslog_pri filter", () => {
  it("decodes the legacy syslog_pri field into codes and labels", () => {
    const { run } = setup("");
    const { event, matched } = run({ syslog_pri: "34" });
    expect(matched).toBe(true);
    expect(event.get("syslog_facility_code")).toBe(4);
    expect(event.get("syslog_severity_code")).toBe(2);
    expect(event.get("syslog_facility")).toBe("security/authorization");
    expect(event.get("syslog_severity")).toBe("critical");
  });

  it("uses [log][syslog] fields with ECS on", () => {
    const { run } = setup("", "v8");
    const { event } = run({ log: { syslog: { priority: 191 } } });
    expect(event.get("[log][syslog][facility]")).toEqual({ code: 23, name: "local7" });
    expect(event.get("[log][syslog][severity]")).toEqual({ code: 7, name: "debug" });
    expect(setup("", "v1").run({}).event.get("[log][syslog][facility][name]")).toBe("user-level");
  });

  it("defaults to priority 13 when the field is absent; takes the first element of an array", () => {
    const { run } = setup("");
    const absent = run({}).event;
    expect(absent.get("syslog_facility")).toBe("user-level");
    expect(absent.get("syslog_severity")).toBe("notice");
    expect(run({ syslog_pri: ["0", "13"] }).event.get("syslog_facility")).toBe("kernel");
    expect(run({ syslog_pri: "garbage" }).event.get("syslog_severity_code")).toBe(0);
  });

  it("syslog_pri_field_name, use_labels => false and custom labels", () => {
    const noLabels = setup(`syslog_pri_field_name => "pri" use_labels => false`).run({ pri: 9 }).event;
    expect(noLabels.get("syslog_facility_code")).toBe(1);
    expect(noLabels.get("syslog_severity_code")).toBe(1);
    expect(noLabels.includes("syslog_facility")).toBe(false);
    const custom = setup(`facility_labels => ["f0", "f1"] severity_labels => ["s0", "s1"]`).run({
      syslog_pri: 9,
    });
    expect(custom.event.get("syslog_facility")).toBe("f1");
    expect(custom.event.get("syslog_severity")).toBe("s1");
    const noSeverityLabel = setup(`severity_labels => ["s0"]`).run({ syslog_pri: 9 }).event;
    expect(noSeverityLabel.includes("syslog_severity")).toBe(false);
  });

  it("tags a facility beyond the labels with _syslogpriparsefailure (still matched)", () => {
    const { run, failures } = setup("");
    const { event, matched } = run({ syslog_pri: 200 });
    expect(matched).toBe(true);
    expect(event.get("syslog_facility_code")).toBe(25);
    expect(event.get("tags")).toEqual(["_syslogpriparsefailure"]);
    expect(event.includes("syslog_facility")).toBe(false);
    expect(failures).toEqual(["syslog_pri_invalid_facility"]);
  });

  it("accepts every option; use_labels must be a boolean", () => {
    expect(refused(`use_labels => true syslog_pri_field_name => "p"`)).toBe("accepted");
    expect(diagnosticsOf(`use_labels => "maybe"`).map((d) => d.code)).toEqual(["invalid-option"]);
  });
});
