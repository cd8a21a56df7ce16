// Runs logstash-filter-verifier test cases against Logstash configs on Sluice's own runtime: each test-case file
// is fed through the pipeline holding its input (and on through in-memory `pipeline` links), and the events
// that reach outputs are compared with the expected ones.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type Logger } from "../../common/logger.js";
import { type Diagnostic, formatDiagnostics, hasErrors, type PipelinePlan } from "../config/index.js";
import type { PluginSpec } from "../plugins/api.js";
import { PluginRegistry } from "../plugins/registry.js";
import { createPipeline, PipelineConfigError } from "../runtime/index.js";
import { actualEvents, type CompareOptions, compareEvents, type FileOutcome } from "./compare.js";
import { captureOutput, feedInput, mapPlugins, pluginId, stringValues, TestWiring } from "./harness.js";
import {
  applyMocks,
  type LoadedPipelines,
  loadMocks,
  loadPipelines,
  type PipelineSource,
} from "./pipelines.js";
import { findTestCaseFiles, loadTestCaseFile, TestCaseError, type TestCaseSet } from "./testcase.js";

export interface TestRunOptions extends PipelineSource, Partial<CompareOptions> {
  /** A test-case file or a directory of them. */
  testcases: string;
  /** LFV's plugin mocks file. */
  mocks?: string;
  /** The plugins available (the registry gets the test feed and capture added). */
  specs: readonly PluginSpec[];
  logger?: Logger;
}

export interface FileReport extends FileOutcome {
  file: string;
}

export type TestRunResult =
  | { kind: "ran"; files: FileReport[]; passed: number; failed: number }
  /** Unreadable or invalid test cases or configs: nothing meaningful could run. */
  | { kind: "invalid"; message: string };

export async function runTests(options: TestRunOptions): Promise<TestRunResult> {
  const logger = options.logger ?? createLogger({ level: "error" });
  let sets: TestCaseSet[];
  let loaded: LoadedPipelines;
  try {
    const files = await findTestCaseFiles(options.testcases);
    sets = await Promise.all(files.map(loadTestCaseFile));
    loaded = await loadPipelines(options);
    const mocks = options.mocks === undefined ? [] : await loadMocks(options.mocks);
    for (const pipeline of loaded.pipelines) pipeline.plan = applyMocks(pipeline.plan, mocks);
  } catch (err) {
    if (err instanceof TestCaseError) return invalid(`${err.file}:${err.line}:${err.column}: ${err.message}`);
    throw err;
  }
  if (loaded.pipelines.length === 0) return invalid("no Logstash configuration given");
  if (hasErrors(loaded.diagnostics)) return invalid(describeDiagnostics(loaded.diagnostics, loaded));
  const dataDir = await mkdtemp(join(tmpdir(), "sluice-test-"));
  const files: FileReport[] = [];
  try {
    for (const set of sets) {
      const outcome = await runFile(set, loaded, options, logger, dataDir);
      if (typeof outcome === "string") return invalid(outcome);
      files.push({ file: set.file, ...outcome });
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const passed = files.reduce((n, f) => n + f.comparisons.filter((c) => c.passed).length, 0);
  const failed = files.reduce(
    (n, f) => n + f.comparisons.filter((c) => !c.passed).length + (f.countMismatch === undefined ? 0 : 1),
    0,
  );
  return { kind: "ran", files, passed, failed };
}

function invalid(message: string): TestRunResult {
  return { kind: "invalid", message };
}

function describeDiagnostics(diagnostics: Diagnostic[], loaded: LoadedPipelines): string {
  const texts = new Map(loaded.sources.map((s) => [s.file, s.text]));
  return formatDiagnostics(diagnostics, (file) => texts.get(file));
}

/** Runs one test-case file; a string is why it could not run (an input that is not there, a config error). */
async function runFile(
  set: TestCaseSet,
  loaded: LoadedPipelines,
  options: TestRunOptions,
  logger: Logger,
  dataDir: string,
): Promise<FileOutcome | string> {
  const tested = findTestedInput(set, loaded);
  if (typeof tested === "string") return `${set.file}: ${tested}`;
  const addresses = pipelineAddresses(loaded);
  const wiring = new TestWiring(new Set(addresses.keys()));
  wiring.feeds.set("tested", { kind: "lines", inputs: set.inputs });
  const pending = [tested.pipeline];
  for (let runs = 0; pending.length > 0; runs++) {
    if (runs > loaded.pipelines.length * 10) return `${set.file}: events loop between pipelines without end`;
    const index = pending.shift()!;
    const problem = await runPipeline(index, tested, loaded, wiring, options, logger, dataDir);
    if (problem !== undefined) return problem;
    for (const [address, events] of wiring.sentTo) {
      const target = addresses.get(address)!;
      wiring.feeds.set(`address:${address}`, { kind: "events", events });
      if (!pending.includes(target)) pending.push(target);
    }
    wiring.sentTo.clear();
  }
  const compareOptions = { debug: options.debug ?? false };
  return compareEvents(set, actualEvents(wiring.captured, set, compareOptions));
}

interface TestedInput {
  pipeline: number;
  id: string;
}

function findTestedInput(set: TestCaseSet, loaded: LoadedPipelines): TestedInput | string {
  const inputs: TestedInput[] = [];
  loaded.pipelines.forEach((pipeline, index) => {
    for (const plugin of inputPlugins(pipeline.plan)) {
      const id = pluginId(plugin);
      if (id !== undefined && plugin.name !== "pipeline") inputs.push({ pipeline: index, id });
    }
  });
  if (set.inputPlugin === undefined) {
    if (inputs.length === 1) return inputs[0]!;
    return "`input_plugin` is needed: it names the input (by its id) the test events come in through";
  }
  const found = inputs.find((input) => input.id === set.inputPlugin);
  if (found !== undefined) return found;
  const known = inputs.map((i) => i.id).join(", ");
  return `input plugin "${set.inputPlugin}" named in the test case is not in the Logstash config (inputs with an id: ${known || "none"})`;
}

function inputPlugins(plan: PipelinePlan) {
  const plugins = [];
  for (const section of plan.sections) {
    if (section.type !== "input") continue;
    for (const statement of section.body) if (statement.kind === "plugin") plugins.push(statement);
  }
  return plugins;
}

/** Which pipeline (by index) serves each `pipeline { address => ... }`. */
function pipelineAddresses(loaded: LoadedPipelines): Map<string, number> {
  const addresses = new Map<string, number>();
  loaded.pipelines.forEach((pipeline, index) => {
    for (const plugin of inputPlugins(pipeline.plan)) {
      if (plugin.name !== "pipeline") continue;
      for (const address of stringValues(plugin.attributes.get("address"))) addresses.set(address, index);
    }
  });
  return addresses;
}

async function runPipeline(
  index: number,
  tested: TestedInput,
  loaded: LoadedPipelines,
  wiring: TestWiring,
  options: TestRunOptions,
  logger: Logger,
  dataDir: string,
): Promise<string | undefined> {
  const pipeline = loaded.pipelines[index]!;
  const plan = testPlan(pipeline.plan, index === tested.pipeline ? tested.id : undefined, wiring);
  const registry = new PluginRegistry([...options.specs, wiring.feedInputSpec(), wiring.captureOutputSpec()]);
  try {
    const running = createPipeline(plan, registry, {
      id: pipeline.id,
      workers: 1,
      ordered: "false",
      batchDelayMs: 0,
      logger,
      dataDir,
    });
    await running.run();
  } catch (err) {
    if (err instanceof PipelineConfigError) return describeDiagnostics(err.diagnostics, loaded);
    throw err;
  }
  return undefined;
}

/** The pipeline with its inputs replaced by feeds (or removed) and its outputs by captures. */
function testPlan(plan: PipelinePlan, testedId: string | undefined, wiring: TestWiring): PipelinePlan {
  let outputCount = 0;
  return {
    sections: plan.sections.map((section) => {
      if (section.type === "input") {
        return {
          ...section,
          body: mapPlugins(section.body, (plugin) => {
            if (plugin.name === "pipeline") {
              const address = stringValues(plugin.attributes.get("address"))[0];
              const feed = `address:${address}`;
              return wiring.feeds.has(feed) ? feedInput(plugin, feed, false) : null;
            }
            return testedId !== undefined && pluginId(plugin) === testedId
              ? feedInput(plugin, "tested", true)
              : null;
          }),
        };
      }
      if (section.type === "output") {
        return {
          ...section,
          body: mapPlugins(section.body, (plugin) => {
            outputCount++;
            return captureOutput(plugin, pluginId(plugin) ?? `${plugin.name}_${outputCount}`);
          }),
        };
      }
      return section;
    }),
  };
}

// ---------------------------------------------------------------- report

/** The text `sluice test` prints: one line per comparison, a diff per failure, and a summary. */
export function formatReport(result: Extract<TestRunResult, { kind: "ran" }>): string {
  const lines: string[] = [];
  for (const file of result.files) {
    if (file.countMismatch !== undefined) {
      lines.push(`FAIL ${file.file}: ${file.countMismatch}`);
      continue;
    }
    if (file.comparisons.length === 0) lines.push(`PASS ${file.file}: no events expected, none arrived`);
    for (const c of file.comparisons) {
      const what = `message ${c.number} of ${file.comparisons.length}${c.description ? ` (${c.description})` : ""}`;
      lines.push(`${c.passed ? "PASS" : "FAIL"} ${file.file}: ${what}`);
      if (c.diff !== undefined) lines.push(c.diff);
    }
  }
  lines.push(`${result.passed} passed, ${result.failed} failed`);
  return `${lines.join("\n")}\n`;
}
