// Agreement with Logstash's own grammar on 385 real pipeline files from ../shared/corpus (outside the project):
// the 380 Logstash accepts must parse cleanly, the 5 it rejects must fail at the line and column Logstash stops at.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/pipeline/config/parser.js";
import { sluiceBin } from "../helpers/broker-process.js";
import { run } from "../helpers/run.js";

const corpus = resolve(import.meta.dirname, "../../../shared/corpus/logstash-configs");

/** From the corpus README: where Logstash's grammar stops on the files it rejects. */
const rejected: Record<string, { line: number; column: number }> = {
  "DHTC-Tools+logstash-confs/condor_logstash_condor_history.conf": { line: 51, column: 24 },
  "HASecuritySolutions+Logstash/configfiles-5.x_8006_postprocess_dns.conf": { line: 51, column: 1 },
  "breml+logstash-config/testdata_errors_missing_closing_curly_bracket_if.conf": { line: 5, column: 13 },
  "breml+logstash-config/testdata_errors_missing_closing_curly_bracket_pluginsection.conf": {
    line: 5,
    column: 1,
  },
  "elastic+examples/Speed Layer_logstash_batch_export.conf": { line: 5, column: 31 },
};

function corpusFiles(): string[] {
  const files: string[] = [];
  for (const repo of readdirSync(corpus).sort()) {
    for (const name of readdirSync(join(corpus, repo)).sort()) files.push(`${repo}/${name}`);
  }
  return files;
}

describe("Logstash configuration corpus", () => {
  it("the corpus is present", () => {
    expect(existsSync(corpus), `missing ${corpus}`).toBe(true);
  });

  it("accepts what Logstash accepts and rejects the rest where Logstash stops", () => {
    const files = corpusFiles();
    const failures: string[] = [];
    let agreed = 0;
    const started = performance.now();
    for (const file of files) {
      const { diagnostics } = parseConfig(readFileSync(join(corpus, file), "utf8"), file);
      const errors = diagnostics.filter((d) => d.severity === "error");
      const expected = rejected[file];
      const first = errors[0];
      if (expected === undefined && first === undefined) agreed++;
      else if (expected === undefined && first) {
        failures.push(
          `${file}: Logstash accepts it, we report ${first.line}:${first.column} ${first.message}`,
        );
      } else if (expected && !first)
        failures.push(`${file}: Logstash rejects it at ${expected.line}:${expected.column}, we accept it`);
      else if (expected && first && (first.line !== expected.line || first.column !== expected.column)) {
        failures.push(
          `${file}: Logstash stops at ${expected.line}:${expected.column}, we at ${first.line}:${first.column}`,
        );
      } else agreed++;
    }
    const elapsedMs = performance.now() - started;
    const rate = ((100 * agreed) / files.length).toFixed(1);
    const accepted = files.length - failures.length - Object.keys(rejected).length;
    console.log(
      `logstash corpus: ${agreed}/${files.length} files agree with Logstash (${rate} %); ${accepted} accepted, ${Object.keys(rejected).length} expected rejections; ${elapsedMs.toFixed(0)} ms`,
    );
    for (const f of failures) console.log(`  FAIL ${f}`);
    expect(files.length).toBe(385);
    expect(failures).toEqual([]);
  });

  it("`sluice validate --parse-only` accepts the 380 and rejects the 5 with file:line:column", async () => {
    const files = corpusFiles();
    const result = await run(process.execPath, [sluiceBin, "validate", "--parse-only", ...files], {
      cwd: corpus,
      timeoutMs: 120_000,
    });
    const accepted = result.stdout.split("\n").filter((line) => line.startsWith("ok "));
    console.log(`sluice validate --parse-only: ${accepted.length}/${files.length} accepted`);
    expect(result.code).toBe(1);
    expect(accepted).toHaveLength(files.length - Object.keys(rejected).length);
    for (const [file, at] of Object.entries(rejected)) {
      expect(accepted).not.toContain(`ok ${file}`);
      expect(result.stderr).toContain(`${file}:${at.line}:${at.column}: error:`);
    }
  });
});
