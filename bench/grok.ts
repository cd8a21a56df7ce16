// Grok benchmark: the grok filter alone, in process, on Apache combined-log lines with %{COMBINEDAPACHELOG}
// (ECS and legacy names; default timeout and timeout_millis => 0), beside a plain JavaScript RegExp that splits
// the same lines into the same parts. Prints human-readable lines, then one JSON object as the last line.
// It never fails on speed.

import { buildPlan, type PlanPlugin } from "../src/pipeline/config/index.js";
import { Event } from "../src/pipeline/event/index.js";
import type { Filter, FilterSpec } from "../src/pipeline/plugins/api.js";
import { defaultRegistry } from "../src/pipeline/plugins/index.js";
import { quietContext } from "../src/pipeline/plugins/registry.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const lineCount = Number(process.env.BENCH_LINES ?? 200_000);
const mib = 1024 * 1024;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const agents = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "curl/7.88.1",
];
const methods = ["GET", "GET", "GET", "POST", "PUT", "HEAD", "DELETE"];
const statuses = ["200", "200", "200", "304", "404", "500", "301"];

/** Varied but deterministic lines, so every run sees the same bytes. */
function makeLines(count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const ip = `${10 + (i % 200)}.${(i >> 3) % 256}.${(i >> 7) % 256}.${i % 251}`;
    const user = i % 17 === 0 ? "frank" : "-";
    const sec = String(i % 60).padStart(2, "0");
    const bytes = i % 9 === 0 ? "-" : String((i * 37) % 50_000);
    const referrer = i % 3 === 0 ? "-" : `https://www.example.com/page/${i % 100}`;
    lines.push(
      `${ip} - ${user} [10/Oct/2023:13:${String(i % 60).padStart(2, "0")}:${sec} -0700] "${methods[i % methods.length]} /items/${i}?q=${i % 13} HTTP/1.1" ${statuses[i % statuses.length]} ${bytes} "${referrer}" "${agents[i % agents.length]}"`,
    );
  }
  return lines;
}

function grokFilter(options: string): Filter {
  const { plan } = buildPlan([{ file: "bench.conf", text: `filter { grok { ${options} } }` }]);
  const outcome = defaultRegistry.resolve(plan.sections[0]?.body[0] as PlanPlugin);
  if (!outcome.resolved) throw new Error(`grok config refused: ${JSON.stringify(outcome.diagnostics)}`);
  const spec = outcome.resolved.spec as FilterSpec;
  return spec.create(outcome.resolved.options, quietContext(spec, outcome.resolved.options));
}

/** Seconds to run every line through the filter, one event at a time as a worker does. */
async function timeFilter(filter: Filter, lines: string[]): Promise<number> {
  const emit = () => {};
  let failed = 0;
  const started = process.hrtime.bigint();
  for (const line of lines) {
    const event = new Event({ message: line });
    const result = filter.filter(event, emit);
    const matched = typeof result === "boolean" ? result : await result;
    if (!matched) failed++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failed > 0) throw new Error(`${failed} lines did not match`);
  return seconds;
}

// The baseline: what the same split costs with one native regex and no event, fields or types.
const plainCombined =
  /^(\S+) (\S+) (\S+) \[([^\]]+)\] "(?:(\w+) (\S+)(?: HTTP\/([\d.]+))?|([^"]*))" (-|\d+) (-|\d+) "([^"]*)" "([^"]*)"/;

function timeRegExp(lines: string[]): number {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (const line of lines) {
    const m = plainCombined.exec(line);
    if (!m) throw new Error(`baseline did not match: ${line}`);
    sink += (m[5] as string).length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink === 0) throw new Error("baseline captured nothing");
  return seconds;
}

async function main(): Promise<void> {
  const lines = makeLines(lineCount);
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const cases: Array<{ key: string; label: string; options: string }> = [
    {
      key: "ecs",
      label: "grok ECS, default timeout",
      options: 'match => { "message" => "%{COMBINEDAPACHELOG}" } ecs_compatibility => "v8"',
    },
    {
      key: "ecs_no_timeout",
      label: "grok ECS, timeout_millis => 0",
      options:
        'match => { "message" => "%{COMBINEDAPACHELOG}" } ecs_compatibility => "v8" timeout_millis => 0',
    },
    {
      key: "legacy",
      label: "grok legacy, default timeout",
      options: 'match => { "message" => "%{COMBINEDAPACHELOG}" } ecs_compatibility => "disabled"',
    },
    {
      key: "legacy_no_timeout",
      label: "grok legacy, timeout_millis => 0",
      options:
        'match => { "message" => "%{COMBINEDAPACHELOG}" } ecs_compatibility => "disabled" timeout_millis => 0',
    },
  ];
  console.log(
    `${fmt(lineCount)} Apache combined lines, ${(bytes / mib).toFixed(1)} MiB, median of ${runs} runs, one thread`,
  );
  const result: Record<string, number> = { lines: lineCount };
  for (const c of cases) {
    const filter = grokFilter(c.options);
    await timeFilter(filter, lines.slice(0, 2_000)); // warm-up: JIT and the helper thread
    const seconds: number[] = [];
    for (let r = 0; r < runs; r++) seconds.push(await timeFilter(filter, lines));
    await filter.close?.();
    const s = median(seconds);
    report(result, c.key, c.label, s, lineCount, bytes);
  }
  timeRegExp(lines.slice(0, 2_000));
  const baseline: number[] = [];
  for (let r = 0; r < runs; r++) baseline.push(timeRegExp(lines));
  report(result, "regexp", "plain JS RegExp split (baseline)", median(baseline), lineCount, bytes);
  result.ecs_no_timeout_vs_regexp = Number((result.ecs_no_timeout_eps / result.regexp_eps).toFixed(3));
  console.log(JSON.stringify(result));
}

function report(
  out: Record<string, number>,
  key: string,
  label: string,
  seconds: number,
  n: number,
  bytes: number,
) {
  const eps = n / seconds;
  const mibps = bytes / mib / seconds;
  console.log(`${label.padEnd(36)} ${fmt(eps).padStart(11)} events/s  ${mibps.toFixed(1).padStart(7)} MiB/s`);
  out[`${key}_eps`] = Math.round(eps);
  out[`${key}_mibps`] = Number(mibps.toFixed(2));
}

await main();
