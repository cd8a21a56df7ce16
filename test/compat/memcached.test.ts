// The memcached filter against the real Debian memcached: get, set with ttl, namespaces, missing keys, and the
// server killed mid-run (events tagged) then restarted (lookups recover). Values are checked on the wire too.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Event } from "../../src/pipeline/event/index.js";
import type { Filter } from "../../src/pipeline/plugins/api.js";
import { memcachedFilter } from "../../src/pipeline/plugins/filters/memcached.js";
import { ResolvedOptions } from "../../src/pipeline/plugins/options.js";
import { quietContext } from "../../src/pipeline/plugins/registry.js";

const memcachedBinary = "/usr/bin/memcached";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** One raw text-protocol exchange, to see exactly what the filter stored. */
async function raw(port: number, command: string, until: RegExp): Promise<Buffer> {
  const socket = connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      if (until.test(all.toString("latin1"))) {
        socket.destroy();
        resolve(all);
      }
    });
    socket.write(command);
  });
}

class Memcached {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    // memcached refuses to run as root unless told which user to be.
    const user = process.getuid?.() === 0 ? ["-u", "root"] : [];
    const child = spawn(memcachedBinary, ["-p", String(this.port), "-U", "0", "-l", "127.0.0.1", ...user], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`memcached exited with ${child.exitCode}`);
      const up = await raw(this.port, "version\r\n", /\r\n/).then(
        (answer) => answer.toString().startsWith("VERSION"),
        () => false,
      );
      if (up) return;
      if (Date.now() > deadline) throw new Error("memcached did not start");
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }
}

function makeFilter(options: Record<string, unknown>): Filter {
  const resolved = ResolvedOptions.of({
    ttl: 0,
    tag_on_failure: "_memcached_failure",
    ...options,
  } as never);
  return memcachedFilter.create(resolved, quietContext(memcachedFilter, resolved));
}

describe("memcached filter against Debian's memcached", () => {
  let server: Memcached;
  let host = "";
  const filters: Filter[] = [];
  const started = async (options: Record<string, unknown>) => {
    const filter = makeFilter({ hosts: [host], ...options });
    filters.push(filter);
    await filter.register?.();
    return filter;
  };

  beforeAll(async () => {
    const check = spawnSync(memcachedBinary, ["-V"], { encoding: "utf8" });
    if (check.status !== 0)
      throw new Error(
        `${memcachedBinary} is missing: apt-get install memcached (${check.error?.message ?? check.stderr})`,
      );
    server = new Memcached(await freePort());
    await server.start();
    host = `127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    for (const filter of filters) await filter.close?.();
    await server?.stop();
  });

  it("sets fields as Ruby Marshal (flag 1) and gets them back, the namespace prefixed", async () => {
    const setter = await started({
      namespace: "threats",
      set: { "[ip]": "ip:%{[ip]}", "[info]": "info:%{[ip]}" },
    });
    const event = new Event({ ip: "10.0.0.1", info: { score: 7, names: ["a", "b"] } });
    expect(await setter.filter(event, () => {})).toBe(true);
    expect(event.get("tags")).toBeUndefined();

    const wire = await raw(server.port, "get threats:ip:10.0.0.1\r\n", /END\r\n/);
    expect(wire.toString("latin1")).toContain("VALUE threats:ip:10.0.0.1 1 18\r\n");
    expect(wire.subarray(wire.indexOf("\r\n") + 2, wire.indexOf("\r\n") + 20).toString("hex")).toBe(
      `040849220d${Buffer.from("10.0.0.1").toString("hex")}063a064554`,
    );

    const getter = await started({
      namespace: "threats",
      get: { "ip:%{[ip]}": "[threat][ip]", "info:%{[ip]}": "[threat][info]" },
    });
    const lookup = new Event({ ip: "10.0.0.1" });
    expect(await getter.filter(lookup, () => {})).toBe(true);
    expect(lookup.get("[threat]")).toEqual({ ip: "10.0.0.1", info: { score: 7, names: ["a", "b"] } });

    const other = await started({ namespace: "other", get: { "ip:%{[ip]}": "[threat][ip]" } });
    const elsewhere = new Event({ ip: "10.0.0.1" });
    expect(await other.filter(elsewhere, () => {})).toBe(false);
    expect(elsewhere.includes("threat")).toBe(false);
  });

  it("reads values other clients stored as plain text (flag 0)", async () => {
    await raw(server.port, "set plain-key 0 0 5\r\nhello\r\n", /STORED\r\n/);
    const filter = await started({ get: { "plain-key": "greeting" } });
    const event = new Event({});
    expect(await filter.filter(event, () => {})).toBe(true);
    expect(event.get("greeting")).toBe("hello");
  });

  it("leaves fields unset for missing keys and does not match", async () => {
    const filter = await started({ get: { "missing-%{id}": "found", "also-missing": "[a][b]" } });
    const event = new Event({ id: "1" });
    expect(await filter.filter(event, () => {})).toBe(false);
    expect(event.includes("found")).toBe(false);
    expect(event.includes("a")).toBe(false);
    expect(event.get("tags")).toBeUndefined();
  });

  it("does not set fields the event lacks", async () => {
    const filter = await started({ set: { "[absent]": "absent-key" } });
    const event = new Event({ present: 1 });
    expect(await filter.filter(event, () => {})).toBe(false);
    const wire = await raw(server.port, "get absent-key\r\n", /END\r\n/);
    expect(wire.toString()).toBe("END\r\n");
  });

  it("stores with the ttl, after which the value is gone", async () => {
    const filter = await started({ ttl: 1, set: { "[v]": "short-lived" }, get: { "short-lived": "[copy]" } });
    const event = new Event({ v: "x" });
    expect(await filter.filter(event, () => {})).toBe(true);
    expect(event.get("copy")).toBe("x");
    await sleep(2200);
    const later = new Event({});
    expect(await filter.filter(later, () => {})).toBe(false);
    expect(later.includes("copy")).toBe(false);
  });

  it("tags events while the server is down and recovers once it is back", async () => {
    const filter = await started({ set: { "[n]": "counter-%{n}" }, get: { "counter-%{n}": "[back]" } });
    const before = new Event({ n: 1 });
    expect(await filter.filter(before, () => {})).toBe(true);
    expect(before.get("back")).toBe(1);

    await server.stop();
    for (let i = 0; i < 3; i++) {
      const event = new Event({ n: 2 });
      const startedAt = Date.now();
      expect(await filter.filter(event, () => {})).toBe(false);
      expect(event.get("tags")).toEqual(["_memcached_failure"]);
      expect(event.includes("back")).toBe(false);
      expect(Date.now() - startedAt).toBeLessThan(3000);
    }

    await server.start();
    const after = new Event({ n: 3 });
    expect(await filter.filter(after, () => {})).toBe(true);
    expect(after.get("back")).toBe(3);
    expect(after.get("tags")).toBeUndefined();
  });

  it("refuses to start when no server answers", async () => {
    const filter = makeFilter({ hosts: [`127.0.0.1:${await freePort()}`], get: { k: "v" } });
    await expect(filter.register?.()).rejects.toThrow(/failed to connect to memcached/);
    await filter.close?.();
  });

  it("spreads keys over two servers and finds each where it was put", async () => {
    const second = new Memcached(await freePort());
    await second.start();
    try {
      const both = [host, `127.0.0.1:${second.port}`];
      const filter = await started({
        hosts: both,
        set: { "[v]": "spread-%{i}" },
        get: { "spread-%{i}": "[w]" },
      });
      for (let i = 0; i < 40; i++) {
        const event = new Event({ i, v: `value-${i}` });
        expect(await filter.filter(event, () => {})).toBe(true);
        expect(event.get("w")).toBe(`value-${i}`);
      }
      const counts = await Promise.all(
        [server.port, second.port].map(async (port) => {
          const stats = (await raw(port, "stats\r\n", /END\r\n/)).toString();
          return Number(/STAT curr_items (\d+)/.exec(stats)?.[1]);
        }),
      );
      expect(counts[1]).toBeGreaterThan(5);
      expect(counts[0]).toBeGreaterThan(5);
    } finally {
      await second.stop();
    }
  });
});
