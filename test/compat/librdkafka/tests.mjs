// Helper for run.sh: lists librdkafka's tests from its tests/test.c table and sums up the runner's JSON reports.
// Plain Node ESM (no build step) because run.sh calls it before and after the TypeScript build matters.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const usage = `usage:
  node tests.mjs select <test.c> <skip.txt> <scenario> [only-ids]
      prints "run <id>" or "skip <id> <reason>" for each test number that applies to the scenario
  node tests.mjs summarize <report-dir>
      prints every sub-test's outcome, then the counts; exits 1 if any test failed`;

/** Reads the `struct test tests[]` table: one entry per sub-test, with its flags and scenario. */
function readTestTable(testC) {
  const source = readFileSync(testC, "utf8");
  const start = source.indexOf("struct test tests[] = {");
  const end = source.indexOf("{NULL}", start);
  if (start < 0 || end < 0) throw new Error(`${testC}: no tests[] table found`);
  const entries = [];
  for (const chunk of source.slice(start, end).split("_TEST(").slice(1)) {
    const name = /^\s*(\d{4}_\w+)/.exec(chunk)?.[1];
    if (!name) continue;
    const scenario = /\.scenario\s*=\s*"([^"]*)"/.exec(chunk)?.[1] ?? "default";
    entries.push({ name, id: name.slice(0, 4), manual: chunk.includes("TEST_F_MANUAL"), scenario });
  }
  return entries;
}

/** skip.txt: `<id or full sub-test name>  <reason>` per line; `#` starts a comment. */
function readSkipList(path) {
  const skips = new Map();
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const match = /^(\d{4}\w*)\s+(.+)$/.exec(line);
    if (!match) throw new Error(`${path}: bad line "${raw}" (want "<test>  <reason>")`);
    skips.set(match[1], match[2]);
  }
  return skips;
}

/** The runner matches a test's scenario list by substring, exactly like this. */
function runsInScenario(entry, scenario) {
  return entry.scenario.includes(scenario);
}

function select(testC, skipTxt, scenario, onlyIds) {
  const only = onlyIds ? new Set(onlyIds.split(/[\s,]+/).filter(Boolean)) : undefined;
  const byId = new Map();
  for (const entry of readTestTable(testC)) {
    if (entry.manual || !runsInScenario(entry, scenario)) continue;
    if (only && !only.has(entry.id)) continue;
    byId.set(entry.id, [...(byId.get(entry.id) ?? []), entry.name]);
  }
  const skips = readSkipList(skipTxt);
  for (const [id, names] of byId) {
    // A test number is skipped when listed itself, or when every sub-test it has in this scenario is listed.
    const reason = skips.get(id) ?? (names.every((n) => skips.has(n)) ? skips.get(names[0]) : undefined);
    console.log(reason === undefined ? `run ${id}` : `skip ${id} ${reason}`);
  }
}

/** Reads one runner report; the runner writes `extra` strings unescaped, so tolerate a broken file. */
function readReport(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

function summarize(reportDir) {
  const counts = { passed: 0, failed: 0, notApplicable: 0 };
  const failed = [];
  for (const file of readdirSync(reportDir)
    .filter((f) => f.endsWith(".status"))
    .sort()) {
    const [phase, id] = file.replace(/\.status$/, "").split("-");
    const exitCode = readFileSync(join(reportDir, file), "utf8").trim();
    const reportPath = join(reportDir, `${phase}-${id}.json`);
    const report = existsSync(reportPath) ? readReport(reportPath) : undefined;
    const mine = Object.values(report?.tests ?? {}).filter((t) => t.name.startsWith(id));
    const ran = mine.filter((t) => t.state !== "SKIPPED" && t.state !== "DNS");
    for (const t of mine) {
      if (t.state === "PASSED") counts.passed++;
      else if (t.state === "SKIPPED" || t.state === "DNS") counts.notApplicable++;
      else {
        counts.failed++;
        failed.push(`${t.name}@${phase}`);
      }
      console.log(`  ${t.state.padEnd(8)} ${t.name} (${phase}, ${t.duration}s)`);
    }
    // No report, or a non-zero exit with no failed sub-test: the runner crashed or was killed (timeout).
    const failedInReport = ran.some((t) => t.state !== "PASSED");
    if (!report || (exitCode !== "0" && !failedInReport)) {
      counts.failed++;
      failed.push(`${id}@${phase} (runner exit ${exitCode}${report ? "" : ", no report"})`);
      console.log(`  FAILED   ${id} (${phase}, runner exit ${exitCode}${report ? "" : ", no report"})`);
    }
  }
  return { counts, failed };
}

function main(argv) {
  const [command, ...args] = argv;
  if (command === "select" && args.length >= 3) return select(args[0], args[1], args[2], args[3]);
  if (command === "summarize" && args.length === 1) {
    const { counts, failed } = summarize(args[0]);
    console.log(
      `not applicable here (local-only, sockem, broker version or scenario): ${counts.notApplicable}`,
    );
    if (failed.length > 0) console.log(`failed: ${failed.join(" ")}`);
    console.log(`passed=${counts.passed} failed=${counts.failed}`);
    process.exitCode = counts.failed > 0 ? 1 : 0;
    return;
  }
  console.error(usage);
  process.exitCode = 2;
}

main(process.argv.slice(2));
