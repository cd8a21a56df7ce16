// Prometheus text exposition (format 0.0.4) of a snapshot: the same figures as /_node/stats, as sluice_* series
// with HELP and TYPE lines; per-pipeline series carry a `pipeline` label, per-plugin ones plugin labels too.

import type { NodeSnapshot, PipelineSnapshot, PluginSnapshot } from "./snapshot.js";

type Labels = Record<string, string>;
type Sample = [Labels, number];

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  samples: Sample[];
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function render(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const [labels, value] of f.samples) {
      const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      lines.push(`${f.name}${pairs.length > 0 ? `{${pairs.join(",")}}` : ""} ${formatValue(value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function perPipeline(
  snapshot: NodeSnapshot,
  name: string,
  type: Family["type"],
  help: string,
  pick: (p: PipelineSnapshot) => number,
): Family {
  return { name, type, help, samples: snapshot.pipelines.map((p) => [{ pipeline: p.id }, pick(p)]) };
}

function perPlugin(
  snapshot: NodeSnapshot,
  name: string,
  help: string,
  pick: (p: PluginSnapshot) => number,
  only: (p: PluginSnapshot) => boolean = () => true,
): Family {
  const samples: Sample[] = [];
  for (const p of snapshot.pipelines) {
    for (const plugin of p.plugins.filter(only)) samples.push([pluginLabels(p.id, plugin), pick(plugin)]);
  }
  return { name, type: "counter", help, samples };
}

function pluginLabels(pipeline: string, plugin: PluginSnapshot): Labels {
  return { pipeline, plugin_id: plugin.id, plugin: plugin.name, kind: plugin.kind };
}

function failureReasons(snapshot: NodeSnapshot): Family {
  const samples: Sample[] = [];
  for (const p of snapshot.pipelines) {
    for (const plugin of p.plugins) {
      for (const [reason, count] of Object.entries(plugin.failureReasons))
        samples.push([{ ...pluginLabels(p.id, plugin), reason }, count]);
    }
  }
  return {
    name: "sluice_plugin_failures_total",
    type: "counter",
    help: "Failures a plugin counted, by reason (e.g. _jsonparsefailure, output_exception).",
    samples,
  };
}

export function prometheusText(s: NodeSnapshot): string {
  const notInput = (p: PluginSnapshot) => p.kind !== "input";
  return render([
    perPipeline(
      s,
      "sluice_pipeline_events_in_total",
      "counter",
      "Events inputs put on the pipeline's queue.",
      (p) => p.events.in,
    ),
    perPipeline(
      s,
      "sluice_pipeline_events_filtered_total",
      "counter",
      "Events that came out of the filter section.",
      (p) => p.events.filtered,
    ),
    perPipeline(
      s,
      "sluice_pipeline_events_out_total",
      "counter",
      "Events handed to the output section.",
      (p) => p.events.out,
    ),
    perPipeline(
      s,
      "sluice_pipeline_events_duration_seconds_total",
      "counter",
      "Time spent in filters and outputs.",
      (p) => p.events.durationMs / 1000,
    ),
    perPipeline(
      s,
      "sluice_pipeline_queue_events",
      "gauge",
      "Events waiting in the pipeline's queue.",
      (p) => p.queuedEvents,
    ),
    perPipeline(
      s,
      "sluice_pipeline_failures_total",
      "counter",
      "Failures counted by the pipeline's plugins and conditions.",
      (p) => p.failures,
    ),
    perPipeline(
      s,
      "sluice_pipeline_reloads_successes_total",
      "counter",
      "Successful reloads of the pipeline.",
      (p) => p.reloads.successes,
    ),
    perPipeline(
      s,
      "sluice_pipeline_reloads_failures_total",
      "counter",
      "Failed reloads of the pipeline (the old one kept running).",
      (p) => p.reloads.failures,
    ),
    perPipeline(s, "sluice_pipeline_up", "gauge", "1 while the pipeline runs, 0 otherwise.", (p) =>
      p.state === "running" ? 1 : 0,
    ),
    perPlugin(
      s,
      "sluice_plugin_events_in_total",
      "Events a filter or output received.",
      (p) => p.eventsIn,
      notInput,
    ),
    perPlugin(
      s,
      "sluice_plugin_events_out_total",
      "Events a plugin passed on (inputs: produced).",
      (p) => p.eventsOut,
    ),
    perPlugin(
      s,
      "sluice_plugin_duration_seconds_total",
      "Time spent in a filter's or output's calls.",
      (p) => p.durationMs / 1000,
      notInput,
    ),
    failureReasons(s),
    {
      name: "sluice_process_cpu_seconds_total",
      type: "counter",
      help: "User and system CPU time of the process.",
      samples: [[{}, s.process.cpuTotalMs / 1000]],
    },
    {
      name: "sluice_process_resident_memory_bytes",
      type: "gauge",
      help: "Resident memory of the process.",
      samples: [[{}, s.process.residentBytes]],
    },
    {
      name: "sluice_process_virtual_memory_bytes",
      type: "gauge",
      help: "Virtual memory of the process.",
      samples: [[{}, s.process.virtualBytes]],
    },
    {
      name: "sluice_process_open_fds",
      type: "gauge",
      help: "Open file descriptors.",
      samples: [[{}, s.process.openFds]],
    },
    {
      name: "sluice_process_max_fds",
      type: "gauge",
      help: "Most file descriptors the process may open (-1: unlimited).",
      samples: [[{}, s.process.maxFds]],
    },
    {
      name: "sluice_process_start_time_seconds",
      type: "gauge",
      help: "Start of the process, in seconds since the epoch.",
      samples: [[{}, s.process.startTimeMs / 1000]],
    },
    {
      name: "sluice_nodejs_heap_used_bytes",
      type: "gauge",
      help: "V8 heap in use.",
      samples: [[{}, s.runtime.heapUsedBytes]],
    },
    {
      name: "sluice_nodejs_heap_max_bytes",
      type: "gauge",
      help: "V8 heap limit.",
      samples: [[{}, s.runtime.heapMaxBytes]],
    },
  ]);
}
