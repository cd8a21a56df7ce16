// The syslog_pri filter: splits a syslog PRI number into facility and severity codes, with their names,
// in ECS fields (`[log][syslog]...`) or the legacy `syslog_*` ones.

import { type Event, ecsEnabled, type FieldValue, formatValue } from "../../event/index.js";
import type { Filter, FilterSpec, PluginContext } from "../api.js";
import type { ResolvedOptions } from "../options.js";

export const syslogPriFailureTag = "_syslogpriparsefailure";
/** The priority assumed when the field is absent (user.notice, as Logstash does). */
const defaultPriority = 13;

export const syslogPriFilter: FilterSpec = {
  kind: "filter",
  name: "syslog_pri",
  doc: "Decodes a syslog PRI value into facility and severity codes and labels.",
  options: {
    use_labels: { type: "boolean", default: true, doc: "Also write the facility and severity names." },
    syslog_pri_field_name: {
      type: "string",
      doc: "The field holding the PRI; default `syslog_pri` (ECS disabled) or `[log][syslog][priority]`.",
    },
    facility_labels: {
      type: "array",
      default: [
        "kernel",
        "user-level",
        "mail",
        "daemon",
        "security/authorization",
        "syslogd",
        "line printer",
        "network news",
        "uucp",
        "clock",
        "security/authorization",
        "ftp",
        "ntp",
        "log audit",
        "log alert",
        "clock",
        "local0",
        "local1",
        "local2",
        "local3",
        "local4",
        "local5",
        "local6",
        "local7",
      ],
      doc: "Facility names by code.",
    },
    severity_labels: {
      type: "array",
      default: ["emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"],
      doc: "Severity names by code.",
    },
  },
  create: (options, context) => new SyslogPriFilter(options, context),
};

interface Keys {
  priority: string;
  facilityCode: string;
  severityCode: string;
  facilityName: string;
  severityName: string;
}

const legacyKeys: Keys = {
  priority: "syslog_pri",
  facilityCode: "syslog_facility_code",
  severityCode: "syslog_severity_code",
  facilityName: "syslog_facility",
  severityName: "syslog_severity",
};
const ecsKeys: Keys = {
  priority: "[log][syslog][priority]",
  facilityCode: "[log][syslog][facility][code]",
  severityCode: "[log][syslog][severity][code]",
  facilityName: "[log][syslog][facility][name]",
  severityName: "[log][syslog][severity][name]",
};

class SyslogPriFilter implements Filter {
  private readonly keys: Keys;
  private readonly priorityField: string;
  private readonly useLabels: boolean;
  private readonly facilityLabels: string[];
  private readonly severityLabels: string[];

  constructor(
    options: ResolvedOptions,
    private readonly context: PluginContext,
  ) {
    this.keys = ecsEnabled(context.ecsCompatibility) ? ecsKeys : legacyKeys;
    this.priorityField = options.optionalString("syslog_pri_field_name") ?? this.keys.priority;
    this.useLabels = options.boolean("use_labels");
    this.facilityLabels = options.stringArray("facility_labels");
    this.severityLabels = options.stringArray("severity_labels");
  }

  filter(event: Event): boolean {
    const priority = priorityOf(event.get(this.priorityField));
    const severity = priority & 7;
    const facility = priority >> 3;
    event.set(this.keys.severityCode, severity);
    event.set(this.keys.facilityCode, facility);
    if (!this.useLabels) return true;
    if (facility > this.facilityLabels.length - 1) {
      event.tag(syslogPriFailureTag);
      this.context.logger.debug("Invalid facility code for event", { plugin: this.context.id, facility });
      this.context.countFailure("syslog_pri_invalid_facility");
      return true;
    }
    event.set(this.keys.facilityName, this.facilityLabels[facility]);
    const severityLabel = this.severityLabels[severity];
    if (severityLabel !== undefined) event.set(this.keys.severityName, severityLabel);
    return true;
  }
}

/** Ruby's `to_i` of the field (first element of an array); nil and false give the default. */
function priorityOf(value: FieldValue | undefined): number {
  if (value === undefined || value === null || value === false) return defaultPriority;
  const first = Array.isArray(value) ? (value[0] ?? null) : value;
  if (typeof first === "number") return Math.trunc(first);
  if (first === null) return 0;
  const match = /^\s*([+-]?\d+)/.exec(formatValue(first).replace(/_/g, ""));
  return match === null ? 0 : Number.parseInt(match[1]!, 10);
}
