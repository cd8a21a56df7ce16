// The health report (Logstash's /_health_report): one indicator per pipeline from its run state, rolled up to a
// `pipelines` indicator and a top-level status, with Logstash's status names, symptoms, diagnoses and impacts.

import type { NodeSnapshot } from "./snapshot.js";
import type { PipelineRunState } from "./source.js";

export type HealthStatus = "unknown" | "green" | "yellow" | "red";

/** Worst last, as Logstash orders its Status enum. */
const severityOrder: HealthStatus[] = ["unknown", "green", "yellow", "red"];
const descriptions: Record<HealthStatus, string> = {
  unknown: "unknown",
  green: "healthy",
  yellow: "degraded or at risk of becoming unhealthy",
  red: "unhealthy",
};

export interface Diagnosis {
  cause: string;
  action: string;
  help_url: string;
}

export interface Impact {
  severity: number;
  description: string;
  impact_areas: string[];
}

export interface PipelineIndicatorReport {
  status: HealthStatus;
  symptom: string;
  diagnosis?: Diagnosis[];
  impacts?: Impact[];
  details: { run_state: string };
}

export interface HealthReport {
  status: HealthStatus;
  symptom: string;
  indicators: {
    pipelines: { status: HealthStatus; symptom: string; indicators: Record<string, PipelineIndicatorReport> };
  };
}

const helpUrl = "https://www.elastic.co/guide/en/logstash/current/health-report-pipeline-status.html";

interface Analysis {
  status: HealthStatus;
  cause?: string;
  action?: string;
  impact?: { severity: number; description: string };
}

/** Logstash's pipeline "up" probe. */
function analyze(state: PipelineRunState): Analysis {
  switch (state) {
    case "running":
      return { status: "green" };
    case "loading":
      return {
        status: "yellow",
        cause: "pipeline is loading",
        action: "check logs",
        impact: { severity: 1, description: "pipeline is loading" },
      };
    case "finished":
      return {
        status: "yellow",
        cause:
          "pipeline has finished running because its inputs have been closed and events have been processed",
        action:
          "if you expect this pipeline to run indefinitely, you will need to configure its inputs to continue receiving or fetching events",
        impact: { severity: 10, description: "pipeline has finished running" },
      };
    case "terminated":
      return {
        status: "red",
        cause: "pipeline is not running, likely because it has encountered an error",
        action: "check logs",
        impact: { severity: 1, description: "pipeline is not running" },
      };
    default:
      return {
        status: "unknown",
        cause: "pipeline is not known; it may have been recently deleted",
        action: "check logs",
        impact: { severity: 1, description: "pipeline is not known" },
      };
  }
}

export function pipelineIndicator(state: PipelineRunState): PipelineIndicatorReport {
  const analysis = analyze(state);
  const diagnoses = analysis.cause
    ? [{ cause: analysis.cause, action: analysis.action ?? "", help_url: helpUrl }]
    : [];
  const impacts = analysis.impact ? [{ ...analysis.impact, impact_areas: ["pipeline_execution"] }] : [];
  const areas = impacts.length;
  const symptom =
    `The pipeline is ${descriptions[analysis.status]}; ` +
    `${areas} ${areas === 1 ? "area is" : "areas are"} impacted and ` +
    `${diagnoses.length} ${diagnoses.length === 1 ? "diagnosis is" : "diagnoses are"} available.`;
  const report: PipelineIndicatorReport = {
    status: analysis.status,
    symptom,
    details: { run_state: state.toUpperCase() },
  };
  if (diagnoses.length > 0) report.diagnosis = diagnoses;
  if (impacts.length > 0) report.impacts = impacts;
  return report;
}

export function worst(statuses: Iterable<HealthStatus>): HealthStatus {
  let result: HealthStatus = "unknown";
  for (const s of statuses) if (severityOrder.indexOf(s) > severityOrder.indexOf(result)) result = s;
  return result;
}

/** "1 indicator is healthy (`main`)", worst status first, as Logstash's MultiIndicator words it. */
export function rollUpSymptom(byName: Record<string, { status: HealthStatus }>): string {
  const parts: string[] = [];
  for (const status of [...severityOrder].reverse()) {
    const names = Object.keys(byName).filter((name) => byName[name]!.status === status);
    if (names.length === 0) continue;
    const verb = names.length === 1 ? "indicator is" : "indicators are";
    parts.push(`${names.length} ${verb} ${descriptions[status]} (\`${names.join("`, `")}\`)`);
  }
  if (parts.length === 0) return "no indicators";
  if (parts.length <= 2) return parts.join(" and ");
  return `${parts.slice(0, -1).join(", ")}, and ${parts.at(-1)}`;
}

export function healthReport(snapshot: NodeSnapshot): HealthReport {
  const indicators: Record<string, PipelineIndicatorReport> = {};
  for (const p of snapshot.pipelines) indicators[p.id] = pipelineIndicator(p.state);
  const status = worst(Object.values(indicators).map((i) => i.status));
  const pipelines = { status, symptom: rollUpSymptom(indicators), indicators };
  return { status, symptom: rollUpSymptom({ pipelines }), indicators: { pipelines } };
}
