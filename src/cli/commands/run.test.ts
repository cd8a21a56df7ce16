import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { pipelineInput } from "../../pipeline/plugins/inputs/pipeline.js";
import { pipelineOutput } from "../../pipeline/plugins/outputs/pipeline.js";
import { PluginRegistry } from "../../pipeline/plugins/registry.js";
import type { Pipeline } from "../../pipeline/runtime/index.js";
import {
  actingFilter,
  captureOutput,
  endlessInput,
  generatorInput,
  plainCodec,
} from "../../pipeline/runtime/test-plugins.js";
import { UsageError } from "../options.js";
import {
  defaultInput,
  defaultOutput,
  type RunFlags,
  registerRun,
  runPipelineCommand,
  settingsFromFlags,
  stopOnSignals,
  withDefaultSections,
} from "./run.js";

/** The flags commander hands the action for `sluice run ARGS`. */
async function parse(args: string[]): Promise<RunFlags> {
  const program = new Command("sluice").exitOverride();
  registerRun(program);
  let seen: RunFlags | undefined;
  program.commands[0]!.action((flags: RunFlags) => {
    seen = flags;
  });
  await program.parseAsync(["node", "sluice", "run", ...args]);
  return seen!;
}

function fakes() {
  const capture = captureOutput();
  const endless = endlessInput();
  const act = actingFilter();
  const registry = new PluginRegistry([
    plainCodec,
    generatorInput().spec,
    endless.spec,
    capture.spec,
    act.spec,
    pipelineInput,
    pipelineOutput,
  ]);
  return { registry, capture, endless, act };
}

async function runCommand(flags: RunFlags, registry: PluginRegistry, onPipeline?: (p: Pipeline) => void) {
  let out = "";
  let err = "";
  const code = await runPipelineCommand(
    { "log.level": "fatal", ...flags },
    { out: (s) => (out += s), err: (s) => (err += s), registry, onPipeline },
  );
  return { code, out, err };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-run-"));
  await writeFile(join(dir, "10-in.conf"), "input { gen { count => 7 } }\n");
  await writeFile(join(dir, "20-out.conf"), 'output { capture { id => "o" } }\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("sluice run flags", () => {
  it("parses Logstash's dotted long flags and their short forms", async () => {
    const flags = await parse([
      "-f",
      "a.conf",
      "--path.config",
      "b.conf",
      "--path.config=c/*.conf",
      "-e",
      "input {}",
      "-t",
      "-w",
      "3",
      "-b",
      "500",
      "-u",
      "10",
      "--pipeline.id",
      "p1",
      "--pipeline.ordered",
      "true",
      "--pipeline.ecs_compatibility",
      "disabled",
      "--path.data",
      "/tmp/d",
      "--log.level",
      "debug",
      "--config.support_escapes",
    ]);
    expect(flags).toEqual({
      "path.config": ["a.conf", "b.conf", "c/*.conf"],
      "config.string": "input {}",
      "config.test_and_exit": true,
      "pipeline.workers": "3",
      "pipeline.batch.size": "500",
      "pipeline.batch.delay": "10",
      "pipeline.id": "p1",
      "pipeline.ordered": "true",
      "pipeline.ecs_compatibility": "disabled",
      "path.data": "/tmp/d",
      "log.level": "debug",
      "config.support_escapes": true,
    });
  });

  it("leaves unset flags undefined so logstash.yml can supply them, and refuses values outside the choices", async () => {
    expect(await parse(["-e", ""])).toEqual({ "config.string": "" });
    expect((await parse(["--path.settings", "/etc/sluice", "-e", ""]))["path.settings"]).toBe("/etc/sluice");
    await expect(parse(["--log.level", "verbose"])).rejects.toThrow(/Allowed choices are fatal, error/);
    await expect(parse(["--pipeline.ordered", "maybe"])).rejects.toThrow(/Allowed choices/);
  });

  it("turns flags into pipeline settings, rejecting bad numbers as usage errors", () => {
    const settings = settingsFromFlags(
      {
        "pipeline.workers": "2",
        "pipeline.batch.size": "10",
        "pipeline.batch.delay": "0",
        "pipeline.id": "x",
        "pipeline.ordered": "false",
        "pipeline.ecs_compatibility": "v1",
        "path.data": "d",
      },
      silentLogger,
    );
    expect(settings).toMatchObject({
      workers: 2,
      batchSize: 10,
      batchDelayMs: 0,
      id: "x",
      ordered: "false",
      ecsCompatibility: "v1",
      dataDir: "d",
    });
    expect(() => settingsFromFlags({ "pipeline.workers": "0" }, silentLogger)).toThrow(UsageError);
    expect(() => settingsFromFlags({ "pipeline.batch.size": "lots" }, silentLogger)).toThrow(
      /positive integer/,
    );
    expect(() => settingsFromFlags({ "pipeline.batch.delay": "-1" }, silentLogger)).toThrow(/milliseconds/);
  });

  it("adds stdin and stdout { codec => rubydebug } when no part has an input or output section", () => {
    const only = { file: "config_string", text: "filter { }" };
    expect(withDefaultSections([only])).toEqual([only, defaultInput, defaultOutput]);
    expect(defaultInput.text).toBe("input { stdin { type => stdin } }");
    expect(defaultOutput.text).toBe("output { stdout { codec => rubydebug } }");
    const both = [
      { file: "a", text: "input{ x {} }" },
      { file: "b", text: "output   { y {} }" },
    ];
    expect(withDefaultSections(both)).toEqual(both);
    // Logstash looks at the raw text: even a commented-out section counts.
    expect(withDefaultSections([{ file: "c", text: "# input {\n# output {" }])).toHaveLength(1);
  });
});

describe("sluice run", () => {
  it("is a usage error without -f or -e", async () => {
    await expect(runCommand({}, fakes().registry)).rejects.toThrow(
      /-f\/--path.config PATH or -e\/--config.string STRING, or a pipelines.yml/,
    );
  });

  it("runs a configuration directory to the end and exits 0", async () => {
    const f = fakes();
    const r = await runCommand({ "path.config": [dir], "pipeline.workers": "1" }, f.registry);
    expect(r.code).toBe(0);
    expect(f.capture.events("o").map((e) => e.get("sequence"))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("-t prints Configuration OK without running anything", async () => {
    const f = fakes();
    const r = await runCommand({ "path.config": [dir], "config.test_and_exit": true }, f.registry);
    expect(r).toEqual({ code: 0, out: "Configuration OK\n", err: "" });
    expect(f.capture.events("o")).toEqual([]);
    expect(f.capture.closed).toEqual(["o"]);
  });

  it("-t prints every problem with its position and exits 1", async () => {
    const r = await runCommand(
      {
        "config.string": 'input { gen { cout => 1 } } output { capture { id => "a" } capture { id => "a" } }',
        "config.test_and_exit": true,
      },
      fakes().registry,
    );
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain("config_string:1:15: error: unknown setting 'cout' for input \"gen\"");
    expect(r.err).toContain("did you mean 'count'?");
    expect(r.err).toContain("error: two plugins have the id 'a'");
  });

  it("-t reports a plugin that refuses its configuration at create time, and bad settings", async () => {
    const failing = await runCommand(
      {
        "config.string": "input { gen {} } filter { act { fail_create => true } } output { capture {} }",
        "config.test_and_exit": true,
      },
      fakes().registry,
    );
    expect(failing.code).toBe(1);
    expect(failing.err).toContain('error: filter "act": cannot start this filter');
    const ordered = await runCommand(
      {
        "config.string": "input { gen {} } output { capture {} }",
        "config.test_and_exit": true,
        "pipeline.workers": "2",
        "pipeline.ordered": "true",
      },
      fakes().registry,
    );
    expect(ordered.code).toBe(1);
    expect(ordered.err).toContain("ordering needs exactly one worker");
  });

  it("-e without sections gets the default stdin input and stdout output", async () => {
    const r = await runCommand({ "config.string": "", "config.test_and_exit": true }, fakes().registry);
    expect(r.code).toBe(1);
    expect(r.err).toContain("default input:1:9: error: no input plugin named 'stdin'");
    expect(r.err).toContain("default output:1:10: error: no output plugin named 'stdout'");
  });

  it("applies --config.support_escapes", async () => {
    const f = fakes();
    const config = 'input { gen { count => 1 message => "a\\tb" } } output { capture { id => "o" } }';
    await runCommand({ "config.string": config, "config.support_escapes": true }, f.registry);
    expect(f.capture.events("o")[0]!.get("message")).toBe("a\tb");
    const g = fakes();
    await runCommand({ "config.string": config }, g.registry);
    expect(g.capture.events("o")[0]!.get("message")).toBe("a\\tb");
  });

  it("drains and stops on SIGTERM; a second signal exits at once", async () => {
    const f = fakes();
    let remove = () => {};
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    try {
      const running = runCommand(
        { "config.string": 'input { endless {} } output { capture { id => "o" } }' },
        f.registry,
        (pipeline) => {
          remove = stopOnSignals(pipeline, silentLogger);
        },
      );
      await vi.waitFor(() => expect(f.endless.observed.pushed).toBeGreaterThan(50));
      process.emit("SIGTERM");
      const r = await running;
      expect(r.code).toBe(0);
      expect(f.endless.observed.stopCalls).toBe(1);
      expect(f.capture.events("o").length).toBe(f.endless.observed.pushed);
      expect(exit).not.toHaveBeenCalled();
      process.emit("SIGINT");
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      remove();
      exit.mockRestore();
    }
  });
});

describe("sluice run --path.settings", () => {
  async function settingsDir(files: Record<string, string>): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), "sluice-settings-"));
    for (const [name, text] of Object.entries(files)) await writeFile(join(d, name), text);
    return d;
  }

  it("runs every pipeline of pipelines.yml, linked through the pipeline bus, with logstash.yml defaults", async () => {
    const d = await settingsDir({
      "logstash.yml": "pipeline.workers: 1\npipeline.batch.size: 3\n",
      "pipelines.yml": [
        "- pipeline.id: upstream",
        "  config.string: 'input { gen { count => 5 } } output { pipeline { send_to => \"run-down\" } }'",
        "- pipeline.id: downstream",
        '  config.string: \'input { pipeline { address => "run-down" } } output { capture { id => "o" } }\'',
      ].join("\n"),
    });
    const f = fakes();
    const done = runPipelineCommand(
      { "path.settings": d, "log.level": "fatal" },
      {
        out: () => {},
        err: () => {},
        registry: f.registry,
        onAgent: (agent) => {
          expect(agent.settingsOf("upstream")).toMatchObject({ workers: 1, batchSize: 3 });
          setTimeout(
            () =>
              void vi.waitFor(() => expect(f.capture.events("o")).toHaveLength(5)).then(() => agent.stop()),
            0,
          );
        },
      },
    );
    expect(await done).toBe(0);
    expect(f.capture.events("o").map((e) => e.get("sequence"))).toEqual([0, 1, 2, 3, 4]);
    await rm(d, { recursive: true, force: true });
  });

  it("-e overrides pipelines.yml with a warning; pipelines.yml errors carry file:line", async () => {
    const d = await settingsDir({
      "pipelines.yml": "- pipeline.id: a\n  pipeline.wrokers: 2\n  config.string: 'x'\n",
    });
    const bad = await runCommand({ "path.settings": d, "config.test_and_exit": true }, fakes().registry);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`${join(d, "pipelines.yml")}:2:3: error: unknown setting 'pipeline.wrokers'`);
    const override = await runCommand(
      {
        "path.settings": d,
        "config.test_and_exit": true,
        "config.string": "input { gen {} } output { capture {} }",
      },
      fakes().registry,
    );
    expect(override.code).toBe(0);
    expect(override.err).toContain("Ignoring the 'pipelines.yml' file");
    await rm(d, { recursive: true, force: true });
  });

  it("takes the config from logstash.yml when there is no pipelines.yml and no -f/-e", async () => {
    const d = await settingsDir({
      "logstash.yml": `path.config: ${dir}\npipeline.workers: 1\nlog.level: fatal\n`,
    });
    const f = fakes();
    const r = await runCommand({ "path.settings": d, "log.level": undefined }, f.registry);
    expect(r.code).toBe(0);
    expect(f.capture.events("o")).toHaveLength(7);
    await rm(d, { recursive: true, force: true });
  });
});
