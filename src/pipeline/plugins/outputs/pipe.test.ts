import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Event } from "../../event/index.js";
import { recordingContext, waitFor } from "../codecs/test-support.js";
import { type OptionValue, ResolvedOptions } from "../options.js";
import { type PipeOutput, pipeOutput } from "./pipe.js";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-pipe-out-"));
  dirs.push(dir);
  return dir;
}

function create(given: Record<string, OptionValue>, context = recordingContext("v8")): PipeOutput {
  return pipeOutput.create(ResolvedOptions.of({ ttl: 10, ...given }), context) as PipeOutput;
}

const lines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "");

describe("pipe output", () => {
  it("writes each event as a JSON line through the shell", async () => {
    const file = join(tempDir(), "out");
    const output = create({ command: `cat >> ${file}` });
    await output.receive([
      new Event({ message: "one" }),
      new Event({ message: "two", "@metadata": { x: 1 } }),
    ]);
    await output.close();
    const written = lines(file).map((line) => JSON.parse(line));
    expect(written.map((e) => e.message)).toEqual(["one", "two"]);
    expect(written[0]["@version"]).toBe("1");
    expect(written[1]["@metadata"]).toBeUndefined();
  });

  it("writes message_format when given", async () => {
    const file = join(tempDir(), "out");
    const output = create({ command: [`cat >> ${file}`], message_format: "%{host} says %{message}" });
    await output.receive([new Event({ host: "a", message: "hi" })]);
    await output.close();
    expect(lines(file)).toEqual(["a says hi"]);
  });

  it("starts one child per distinct sprintf'd command", async () => {
    const dir = tempDir();
    const output = create({ command: `cat >> ${dir}/%{app}.log`, message_format: "%{message}" });
    await output.receive([
      new Event({ app: "a", message: "1" }),
      new Event({ app: "b", message: "2" }),
      new Event({ app: "a", message: "3" }),
    ]);
    expect(output.openPipes).toBe(2);
    await output.close();
    expect(lines(join(dir, "a.log"))).toEqual(["1", "3"]);
    expect(lines(join(dir, "b.log"))).toEqual(["2"]);
  });

  it("runs an array command directly, without a shell", async () => {
    const dir = tempDir();
    const output = create({ command: ["tee", "-a", `${dir}/%{name}`], message_format: "%{message}" });
    await output.receive([new Event({ name: "x; touch injected", message: "m" })]);
    await output.close();
    expect(readdirSync(dir)).toEqual(["x; touch injected"]);
    expect(existsSync(join(dir, "injected"))).toBe(false);
  });

  it("closes pipes unused for ttl seconds, checking as events arrive", async () => {
    const dir = tempDir();
    let now = 1_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const output = create({ command: `cat >> ${dir}/%{app}`, message_format: "%{message}", ttl: 1 });
    await output.receive([new Event({ app: "a", message: "1" })]);
    now += 1100;
    await output.receive([new Event({ app: "b", message: "2" })]);
    expect(output.openPipes).toBe(2);
    now += 1100;
    await output.receive([new Event({ app: "b", message: "3" })]);
    expect(output.openPipes).toBe(1);
    await output.close();
    expect(lines(join(dir, "a"))).toEqual(["1"]);
    expect(lines(join(dir, "b"))).toEqual(["2", "3"]);
  });

  it("never closes pipes with ttl 0", async () => {
    let now = 1_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const output = create({ command: "cat > /dev/null; echo %{a}", ttl: 0 });
    await output.receive([new Event({ a: "1" })]);
    now += 100_000;
    await output.receive([new Event({ a: "2" })]);
    expect(output.openPipes).toBe(2);
    await output.close();
  });

  it("starts a command again when it has exited", async () => {
    const file = join(tempDir(), "out");
    const context = recordingContext("v8");
    const output = create({ command: `head -n 1 >> ${file}`, message_format: "%{message}" }, context);
    await output.receive([new Event({ message: "first" })]);
    await waitFor(() => context.lines.some((line) => line.includes("pipe command exited")));
    await output.receive([new Event({ message: "second" })]);
    await output.close();
    expect(lines(file)).toEqual(["first", "second"]);
  });

  it("logs and counts a command that cannot run, and keeps going", async () => {
    const context = recordingContext("v8");
    const output = create({ command: ["/nonexistent/program", "-x"] }, context);
    await output.receive([new Event({ message: "x" })]);
    await waitFor(() => context.failures.includes("pipe_spawn"));
    await output.close();
    expect(context.lines.some((line) => line.includes("could not run pipe command"))).toBe(true);
  });

  it("logs what the command writes to stderr", async () => {
    const context = recordingContext("v8");
    const output = create({ command: "cat > /dev/null; echo complaint >&2" }, context);
    await output.receive([new Event({ message: "x" })]);
    await output.close();
    expect(context.lines.some((line) => line.includes("complaint"))).toBe(true);
  });

  it("refuses an empty command", () => {
    expect(() => create({ command: [] })).toThrow(/must not be empty/);
  });
});
