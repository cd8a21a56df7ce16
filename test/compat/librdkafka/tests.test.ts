// Checks run.sh's helper: picking tests per scenario from test.c with skip.txt, and summing up runner reports.
// Needs no librdkafka build: it feeds the helper a small test.c table and hand-written reports.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const helper = join(import.meta.dirname, "tests.mjs");

function runHelper(...args: string[]) {
  const result = spawnSync(process.execPath, [helper, ...args], { encoding: "utf8" });
  return { status: result.status, lines: result.stdout.trim().split("\n") };
}

const testTable = `
struct test tests[] = {
    _TEST(0001_multiobj, 0),
    _TEST(0045_subscribe_update, 0, TEST_BRKVER(0, 9, 0, 0)),
    _TEST(0045_subscribe_update_topic_remove,
          0,
          TEST_BRKVER(0, 9, 0, 0),
          .scenario = "noautocreate"),
    _TEST(0052_msg_timestamps, 0, TEST_BRKVER(0, 10, 0, 0)),
    _TEST(0103_transactions, 0, .scenario = "default,ak23"),
    _TEST(0107_topic_recreate, 0, .scenario = "noautocreate"),
    _TEST(8000_idle, TEST_F_MANUAL),
    {NULL}};
`;

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "rdk-helper-"));
  writeFileSync(join(dir, "test.c"), testTable);
  writeFileSync(
    join(dir, "skip.txt"),
    "# comment\n0052  needs kafka-topics.sh\n0045_subscribe_update_topic_remove  needs kafka-topics.sh\n",
  );
  return dir;
}

describe("tests.mjs select", () => {
  it("runs the default scenario's tests, skips listed numbers and manual tests", () => {
    const dir = fixture();
    const { status, lines } = runHelper("select", join(dir, "test.c"), join(dir, "skip.txt"), "default");
    expect(status).toBe(0);
    expect(lines).toEqual(["run 0001", "run 0045", "skip 0052 needs kafka-topics.sh", "run 0103"]);
  });

  it("skips a number in a scenario when all its sub-tests there are listed by name", () => {
    const dir = fixture();
    const { lines } = runHelper("select", join(dir, "test.c"), join(dir, "skip.txt"), "noautocreate");
    expect(lines).toEqual(["skip 0045 needs kafka-topics.sh", "run 0107"]);
  });

  it("narrows to the given test numbers", () => {
    const dir = fixture();
    const { lines } = runHelper("select", join(dir, "test.c"), join(dir, "skip.txt"), "default", "0103 0001");
    expect(lines).toEqual(["run 0001", "run 0103"]);
  });
});

describe("tests.mjs summarize", () => {
  const report = (tests: Record<string, string>) =>
    JSON.stringify({
      tests: Object.fromEntries(
        Object.entries(tests).map(([name, state]) => [name, { name, state, duration: 1 }]),
      ),
    });

  it("counts passed, failed and not-applicable sub-tests and fails on any failure", () => {
    const dir = mkdtempSync(join(tmpdir(), "rdk-reports-"));
    writeFileSync(join(dir, "default-0001.json"), report({ "<MAIN>": "PASSED", "0001_multiobj": "PASSED" }));
    writeFileSync(join(dir, "default-0001.status"), "0\n");
    writeFileSync(
      join(dir, "default-0022.json"),
      report({
        "0022_consume_batch": "FAILED",
        "0022_consume_batch_local": "SKIPPED",
        "0001_multiobj": "DNS",
      }),
    );
    writeFileSync(join(dir, "default-0022.status"), "134\n");
    const { status, lines } = runHelper("summarize", dir);
    expect(status).toBe(1);
    expect(lines.at(-1)).toBe("passed=1 failed=1");
    expect(lines).toContain("failed: 0022_consume_batch@default");
  });

  it("counts a runner that died without a report as a failure", () => {
    const dir = mkdtempSync(join(tmpdir(), "rdk-reports-"));
    writeFileSync(join(dir, "default-0014.status"), "137\n");
    const { status, lines } = runHelper("summarize", dir);
    expect(status).toBe(1);
    expect(lines.at(-1)).toBe("passed=0 failed=1");
  });
});
