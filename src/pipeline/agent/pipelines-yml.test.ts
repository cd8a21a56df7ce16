import { describe, expect, it } from "vitest";
import { parseLogstashYml } from "./logstash-yml.js";
import { parsePipelinesYml } from "./pipelines-yml.js";

describe("pipelines.yml", () => {
  it("reads each pipeline with its config and settings, flat or nested keys", () => {
    const text = [
      "- pipeline.id: first",
      "  path.config: conf/first.conf",
      "  pipeline.workers: 3",
      "  pipeline.batch.size: 10",
      "  pipeline.batch.delay: 5",
      "  pipeline.ordered: true",
      "  pipeline.ecs_compatibility: disabled",
      "  queue.type: memory",
      "- pipeline:",
      "    id: second",
      '  config.string: "input { stdin {} } output { stdout {} }"',
      "  dead_letter_queue.enable: false",
    ].join("\n");
    const { definitions, diagnostics } = parsePipelinesYml(text, "pipelines.yml", "/base", {});
    expect(diagnostics).toEqual([]);
    expect(definitions).toEqual([
      {
        id: "first",
        configPaths: ["/base/conf/first.conf"],
        settings: {
          workers: 3,
          batchSize: 10,
          batchDelayMs: 5,
          ordered: "true",
          ecsCompatibility: "disabled",
          queueType: "memory",
        },
        origin: { file: "pipelines.yml", line: 1, column: 3 },
      },
      {
        id: "second",
        configString: "input { stdin {} } output { stdout {} }",
        settings: { dlqEnabled: false },
        origin: { file: "pipelines.yml", line: 9, column: 3 },
      },
    ]);
  });

  it("reports every problem at its line: unknown keys, bad values, ids, config", () => {
    const text = [
      "- pipeline.id: a",
      "  path.config: /a.conf",
      "  pipeline.wrokers: 2",
      "  pipeline.batch.size: zero",
      "  queue.type: persistent",
      "  dead_letter_queue.enable: yes",
      "  queue.max_bytes: lots",
      "- pipeline.id: a",
      "  config.string: 'input {}'",
      "- path.config: /x.conf",
      "- pipeline.id: c",
      "- pipeline.id: d",
      "  path.config: /d.conf",
      "  config.string: x",
      "  path.data: ${NOPE}",
    ].join("\n");
    const { diagnostics } = parsePipelinesYml(text, "p.yml", "/", {});
    const at = diagnostics.map((d) => `${d.line}:${d.severity}:${d.message}`);
    expect(at).toContain("3:error:unknown setting 'pipeline.wrokers'");
    expect(at).toContain('4:error:pipeline.batch.size must be a positive integer, got "zero"');
    expect(at).toContain('5:error:queue.type must be one of memory, persisted, got "persistent"');
    expect(at).toContain('6:error:dead_letter_queue.enable must be true or false, got "yes"');
    expect(at).toContain('7:error:queue.max_bytes must be a size such as 1024mb or 64 MiB, got "lots"');
    expect(at).toContain('8:error:pipeline.id "a" is already used by the pipeline at line 1');
    expect(at).toContain("10:error:pipeline 3 has no pipeline.id");
    expect(at).toContain('11:error:pipeline "c" needs path.config or config.string');
    expect(at).toContain('14:error:pipeline "d" has both path.config and config.string; give one');
    expect(at.find((m) => m.startsWith("15:error:path.data: environment variable ${NOPE}"))).toBeDefined();
  });

  it("refuses a file that is not a list, and YAML syntax errors with their position", () => {
    expect(parsePipelinesYml("pipeline.id: x", "p.yml", "/", {}).diagnostics[0]!.message).toContain(
      "must be a list",
    );
    expect(parsePipelinesYml("", "p.yml", "/", {}).diagnostics[0]!.message).toContain("defines no pipeline");
    const syntax = parsePipelinesYml("- a: [1,\n- b", "p.yml", "/", {}).diagnostics[0]!;
    expect(syntax.code).toBe("yaml-syntax");
    expect(syntax.line).toBeGreaterThan(0);
  });

  it("replaces ${VAR} and ${VAR:default} from the environment", () => {
    const text = "- pipeline.id: ${ID}\n  config.string: ${CONF:input {}}\n";
    const { definitions } = parsePipelinesYml(text, "p.yml", "/", { ID: "fromenv" });
    expect(definitions[0]).toMatchObject({ id: "fromenv", configString: "input {}" });
  });
});

describe("logstash.yml", () => {
  it("gives pipeline defaults, path.data and log.level; warns about what Sluice ignores", () => {
    const text = [
      "pipeline:",
      "  workers: 2",
      "  batch.size: 50",
      "  batch.delay: 10",
      "  ordered: auto",
      "  ecs_compatibility: v1",
      "config.support_escapes: true",
      "path.data: /var/lib/sluice",
      "log.level: debug",
      "api.http.port: 9600",
      "queue.drain: true",
      "queue.max_events: 10",
      "frobnicate: 1",
    ].join("\n");
    const yml = parseLogstashYml(text, "logstash.yml", {});
    expect(yml.pipeline).toEqual({
      workers: 2,
      batchSize: 50,
      batchDelayMs: 10,
      ordered: "auto",
      ecsCompatibility: "v1",
      supportEscapes: true,
      queueDrain: true,
    });
    expect(yml.pathData).toBe("/var/lib/sluice");
    expect(yml.logLevel).toBe("debug");
    expect(yml.values.get("api.http.port")).toBe(9600);
    expect(yml.diagnostics.map((d) => `${d.line}:${d.severity}:${d.message}`)).toEqual([
      "12:warning:queue.max_events is not supported by Sluice yet and is ignored",
      "13:warning:unknown setting 'frobnicate'",
    ]);
  });

  it("refuses bad values", () => {
    const yml = parseLogstashYml("pipeline.workers: 0\npipeline.ordered: maybe\n", "l.yml", {});
    expect(yml.diagnostics.map((d) => d.severity)).toEqual(["error", "error"]);
  });
});
