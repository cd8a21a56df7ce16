// Agreement with the dissect filter's own test vectors (../shared/corpus/dissect, outside the project): each
// pattern runs over its message through our dissect filter and every expected field must come out equal.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Event } from "../../src/pipeline/event/index.js";
import { dissectFilter } from "../../src/pipeline/plugins/filters/dissect.js";
import { ResolvedOptions } from "../../src/pipeline/plugins/options.js";
import { quietContext } from "../../src/pipeline/plugins/registry.js";

const vectorsFile = resolve(import.meta.dirname, "../../../shared/corpus/dissect/dissect_tests.json");

interface Vector {
  name: string;
  tok: string;
  msg: string;
  expected: Record<string, unknown>;
  /** Present in the file; Logstash's own spec runs every vector regardless, and so do we. */
  skip?: boolean;
}

function runVector(vector: Vector): string[] {
  const options = ResolvedOptions.of({
    mapping: { message: vector.tok },
    tag_on_failure: ["_dissectfailure"],
  });
  const filter = dissectFilter.create(options, quietContext(dissectFilter, options));
  const event = new Event({ message: vector.msg });
  filter.filter(event, () => {});
  const problems: string[] = [];
  for (const [field, want] of Object.entries(vector.expected)) {
    const got = event.get(field);
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(
        `${vector.name}: [${field}] expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
      );
  }
  return problems;
}

describe("dissect test vectors", () => {
  it("the vectors are present", () => {
    expect(existsSync(vectorsFile), `missing ${vectorsFile}`).toBe(true);
  });

  it("every vector dissects to its expected fields", () => {
    const vectors = JSON.parse(readFileSync(vectorsFile, "utf8")) as Vector[];
    expect(vectors.length).toBeGreaterThan(0);
    const outcomes = vectors.map(runVector);
    const failures = outcomes.flat();
    const passed = outcomes.filter((problems) => problems.length === 0).length;
    console.log(`dissect vectors: ${passed}/${vectors.length} pass`);
    expect(failures).toEqual([]);
    expect(passed).toBe(vectors.length);
  });
});
