import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../common/logger.js";
import type { AgentServices } from "../../pipeline/agent/index.js";
import { readLogstashYml } from "../../pipeline/agent/index.js";
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
    { "log.level": "fatal", "api.enabled": "false", ...flags },
    { out: (s) => (out += s), err: (s) => (err += s), registry, onPipeline, reloadSignal: null },
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
      { "path.settings": d, "log.level": "fatal", "api.enabled": "false" },
      {
        out: () => {},
        err: () => {},
        registry: f.registry,
        reloadSignal: null,
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

// biome-ignore lint/suspicious/noExplicitAny: the tests walk deep into API documents whose shape they assert
type Json = any;

describe("sluice run: reload and the monitoring API", () => {
  async function tempDir(): Promise<string> {
    return mkdtemp(join(tmpdir(), "sluice-run-reload-"));
  }

  async function get(port: number, path: string): Promise<Json> {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Json;
  }

  /** Starts the command in the background; resolves its services once they are up. */
  function start(flags: RunFlags, registry: PluginRegistry) {
    let resolveServices: (s: AgentServices) => void = () => {};
    const services = new Promise<AgentServices>((resolve) => (resolveServices = resolve));
    const done = runPipelineCommand(
      { "log.level": "fatal", ...flags },
      { out: () => {}, err: () => {}, registry, reloadSignal: null, onServices: resolveServices },
    );
    done.catch(() => {});
    return { services, done };
  }

  it("parses -r, --config.reload.interval and the --api.* flags", async () => {
    const flags = await parse([
      "-r",
      "--config.reload.interval",
      "5s",
      "--api.enabled",
      "false",
      "--api.http.host",
      "0.0.0.0",
      "--api.http.port",
      "9700",
      "-f",
      "x.conf",
    ]);
    expect(flags).toMatchObject({
      "config.reload.automatic": true,
      "config.reload.interval": "5s",
      "api.enabled": "false",
      "api.http.host": "0.0.0.0",
      "api.http.port": "9700",
    });
    await expect(parse(["--api.enabled", "maybe"])).rejects.toThrow(/Allowed choices/);
  });

  it("refuses -r for a -e string, a bad interval, a bad port and a bad api.enabled in logstash.yml", async () => {
    const registry = fakes().registry;
    const config = "input { gen {} } output { capture {} }";
    await expect(
      runCommand({ "config.string": config, "config.reload.automatic": true }, registry),
    ).rejects.toThrow(/requires a configuration path given with -f/);
    await expect(
      runCommand({ "path.config": [dir], "config.reload.interval": "3" }, registry),
    ).rejects.toThrow(UsageError);
    await expect(
      runCommand({ "path.config": [dir], "api.enabled": "true", "api.http.port": "96-" }, registry),
    ).rejects.toThrow(/api.http.port/);
    const d = await tempDir();
    await writeFile(join(d, "logstash.yml"), "api.enabled: maybe\n");
    await expect(
      runCommand({ "path.settings": d, "path.config": [dir], "api.enabled": undefined }, registry),
    ).rejects.toThrow(/api.enabled must be true or false/);
    await rm(d, { recursive: true, force: true });
  });

  it("without -r exits when the pipelines end, and closes the API", async () => {
    const f = fakes();
    const { services, done } = start(
      { "path.config": [dir], "pipeline.workers": "1", "api.http.port": "0" },
      f.registry,
    );
    const api = (await services).api!;
    expect(await done).toBe(0);
    expect(f.capture.events("o")).toHaveLength(7);
    await expect(fetch(`http://127.0.0.1:${api.port}/`)).rejects.toThrow();
  });

  it("with -r from logstash.yml: keeps running, reloads each pipeline of pipelines.yml on its own, shows both in the API", async () => {
    const d = await tempDir();
    const upConf = join(d, "up.conf");
    const downConf = join(d, "down.conf");
    const up = (count: number) =>
      `input { gen { count => ${count} } } output { pipeline { send_to => "run-r" } }`;
    const down = (filter = "") =>
      `input { pipeline { address => "run-r" } } filter { ${filter} } output { capture { id => "o" } }`;
    await writeFile(upConf, up(5));
    await writeFile(downConf, down());
    await writeFile(
      join(d, "logstash.yml"),
      "config.reload.automatic: true\nconfig.reload.interval: 50ms\napi.http.port: 0\npipeline.workers: 1\n",
    );
    await writeFile(
      join(d, "pipelines.yml"),
      `- pipeline.id: up\n  path.config: ${upConf}\n- pipeline.id: down\n  path.config: ${downConf}\n`,
    );
    expect((await readLogstashYml(join(d, "logstash.yml"))).diagnostics).toEqual([]);
    const f = fakes();
    const { services: servicesReady, done } = start({ "path.settings": d }, f.registry);
    const services = await servicesReady;
    const port = services.api!.port;
    await vi.waitFor(() => expect(f.capture.events("o")).toHaveLength(5));
    await vi.waitFor(async () => {
      const stats = await get(port, "/_node/stats/pipelines");
      expect(Object.keys(stats.pipelines).sort()).toEqual(["down", "up"]);
      expect(stats.pipelines.up.events).toMatchObject({ in: 5, out: 5 });
      expect(stats.pipelines.down.events).toMatchObject({ in: 5, out: 5 });
    });
    const health = await get(port, "/_health_report");
    expect(health.indicators.pipelines.indicators.up.details.run_state).toBe("FINISHED");
    expect(health.indicators.pipelines.indicators.down.details.run_state).toBe("RUNNING");
    const info = await get(port, "/_node/pipelines/up");
    expect(info.pipelines.up).toMatchObject({
      config_reload_automatic: true,
      config_reload_interval: 50_000_000,
    });
    // The up pipeline has finished, but -r keeps the command running: an edit brings it back.
    const stillRunning = await Promise.race([
      done.then(() => "ended"),
      new Promise((r) => setTimeout(() => r("running"), 200)),
    ]);
    expect(stillRunning).toBe("running");
    await writeFile(upConf, up(3));
    await vi.waitFor(() => expect(f.capture.events("o")).toHaveLength(8), { timeout: 5000 });
    const afterReload = await get(port, "/_node/stats/pipelines");
    expect(afterReload.pipelines.up.reloads.successes).toBe(1);
    expect(afterReload.pipelines.down.reloads.successes).toBe(0);
    expect(afterReload.pipelines.down.events.in).toBe(8);

    await writeFile(downConf, down("nosuch {}"));
    await vi.waitFor(
      async () => {
        const stats = await get(port, "/_node/stats/pipelines/down");
        expect(stats.pipelines.down.reloads.failures).toBe(1);
        expect(stats.pipelines.down.reloads.last_error.message).toMatch(/nosuch/);
      },
      { timeout: 5000 },
    );
    await writeFile(upConf, up(2));
    await vi.waitFor(() => expect(f.capture.events("o")).toHaveLength(10), { timeout: 5000 });

    await services.shutdown();
    expect(await done).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    await rm(d, { recursive: true, force: true });
  }, 30_000);
});
