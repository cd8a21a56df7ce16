// Unit tests of the memcached filter's pieces: Ruby Marshal, the dalli ring, the text-protocol parser (against a
// tiny in-test server) and option checks. The filter's behaviour against real memcached is in test/compat.

import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Event } from "../../event/index.js";
import { ResolvedOptions } from "../options.js";
import { quietContext } from "../registry.js";
import { MemcachedClient, MemcachedKeyError, parseHost } from "./memcached/client.js";
import { MemcachedConnection, MemcachedNetworkError, MemcachedServerError } from "./memcached/connection.js";
import { dumpMarshal, loadMarshal, MarshalError } from "./memcached/marshal.js";
import { HashRing } from "./memcached/ring.js";
import { memcachedFilter } from "./memcached.js";
import { filterHarness } from "./testing.js";

const hex = (b: Buffer) => b.toString("hex");

describe("Ruby Marshal", () => {
  it("writes what Ruby's Marshal.dump writes", () => {
    expect(hex(dumpMarshal("42"))).toBe("04084922073432063a064554");
    expect(hex(dumpMarshal(0))).toBe("04086900");
    expect(hex(dumpMarshal(42))).toBe("0408692f");
    expect(hex(dumpMarshal(-1))).toBe("040869fa");
    expect(hex(dumpMarshal(300))).toBe("040869022c01");
    expect(hex(dumpMarshal(-300))).toBe("040869fed4fe");
    expect(hex(dumpMarshal(null))).toBe("040830");
    expect(hex(dumpMarshal(true))).toBe("040854");
    expect(hex(dumpMarshal(1.5))).toBe("04086608312e35");
    expect(hex(dumpMarshal([1, "a"]))).toBe("04085b07690649220661063a064554");
    expect(hex(dumpMarshal(2 ** 40))).toBe("04086c2b08000000000001");
    // the encoding symbol :E is written once, then linked (;0), as Ruby does
    expect(hex(dumpMarshal(["a", "b"]))).toBe("04085b0749220661063a06455449220662063b0054");
  });

  it("reads back every supported type", () => {
    const value = {
      s: "ünï",
      n: 7,
      big: 2 ** 40,
      neg: -(2 ** 35),
      f: -2.25,
      t: true,
      f2: false,
      z: null,
      a: [1, [2]],
    };
    expect(loadMarshal(dumpMarshal(value))).toEqual(value);
    expect(loadMarshal(dumpMarshal(123_456_789))).toBe(123_456_789);
    expect(loadMarshal(dumpMarshal(-123_456_789))).toBe(-123_456_789);
  });

  it("reads symbols, symbol links and object links as Ruby writes them", () => {
    // Marshal.dump([:a, :a, s = "x", s]) with s a binary string
    const data = Buffer.from("04085b093a06613b0022067840 06".replace(/ /g, ""), "hex");
    expect(loadMarshal(data)).toEqual(["a", "a", "x", "x"]);
  });

  it("refuses what is not Marshal 4.8 or not supported", () => {
    expect(() => loadMarshal(Buffer.from("plain"))).toThrow(MarshalError);
    expect(() => loadMarshal(Buffer.from("04086f", "hex"))).toThrow(/unsupported Marshal type 'o'/);
    expect(() => loadMarshal(Buffer.from("0408220a61", "hex"))).toThrow(/truncated/);
  });
});

describe("HashRing", () => {
  it("sends every key to the one server when there is one", () => {
    const ring = new HashRing(["localhost:11211"]);
    expect(ring.serverFor("anything", () => true)).toBe(0);
    expect(ring.serverFor("anything", () => false)).toBeUndefined();
  });

  it("spreads keys over servers deterministically and fails over to a live one", () => {
    const ring = new HashRing(["a:11211", "b:11211", "c:11211"]);
    const again = new HashRing(["a:11211", "b:11211", "c:11211"]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const server = ring.serverFor(`key-${i}`, () => true) as number;
      expect(again.serverFor(`key-${i}`, () => true)).toBe(server);
      counts[server] = (counts[server] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(500);
    for (let i = 0; i < 100; i++) expect(ring.serverFor(`key-${i}`, (s) => s === 2)).toBe(2);
    expect(ring.serverFor("x", () => false)).toBeUndefined();
  });
});

describe("parseHost", () => {
  it("takes host, host:port and IPv6 forms", () => {
    expect(parseHost("localhost")).toEqual({ host: "localhost", port: 11211 });
    expect(parseHost("127.0.0.1:11311")).toEqual({ host: "127.0.0.1", port: 11311 });
    expect(parseHost("::1")).toEqual({ host: "::1", port: 11211 });
    expect(parseHost("[::1]:22122")).toEqual({ host: "::1", port: 22122 });
    expect(() => parseHost("host:notaport")).toThrow(/bad port/);
    expect(() => parseHost(":11211")).toThrow(/no name/);
  });
});

/** A scripted memcached: answers each request line with the next canned answer. */
class FakeMemcached {
  readonly requests: string[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly answer: (request: string) => string | Buffer | undefined) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      let pending = "";
      socket.on("data", (chunk) => {
        pending += chunk.toString("latin1");
        for (let end = pending.indexOf("\r\n"); end >= 0; end = pending.indexOf("\r\n")) {
          const line = pending.slice(0, end);
          pending = pending.slice(end + 2);
          if (line.startsWith("set ")) {
            const size = Number(line.split(" ")[4]);
            pending = pending.slice(size + 2); // the test's values arrive in one chunk
          }
          this.requests.push(line);
          const reply = this.answer(line);
          if (reply !== undefined) socket.write(reply);
        }
      });
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe("MemcachedConnection", () => {
  let fake: FakeMemcached | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });

  it("parses VALUE blocks split across writes, binary data included", async () => {
    fake = new FakeMemcached(() => undefined);
    const port = await fake.start();
    const connection = new MemcachedConnection("127.0.0.1", port, 2000);
    const answer = connection.get(["a", "b", "c"]);
    await new Promise((r) => setTimeout(r, 50));
    const sockets = [...(fake as unknown as { sockets: Set<Socket> }).sockets];
    const socket = sockets[0] as Socket;
    socket.write("VALUE a 1 4\r\nab");
    await new Promise((r) => setTimeout(r, 20));
    socket.write("\r\n\r\nVALUE c 0 0\r\n\r\nEND\r\n");
    const values = await answer;
    expect([...values.keys()]).toEqual(["a", "c"]);
    expect(values.get("a")).toEqual({ flags: 1, data: Buffer.from("ab\r\n") });
    expect(values.get("c")?.data.length).toBe(0);
    expect(fake.requests).toEqual(["get a b c"]);
    connection.close();
  });

  it("pipelines requests and matches answers in order", async () => {
    fake = new FakeMemcached((line) =>
      line.startsWith("set") ? "STORED\r\n" : line.startsWith("get") ? "END\r\n" : "VERSION 1.6.0\r\n",
    );
    const connection = new MemcachedConnection("127.0.0.1", await fake.start(), 2000);
    const [version, stored, values] = await Promise.all([
      connection.version(),
      connection.set("k", { flags: 1, data: Buffer.from("v") }, 30),
      connection.get(["k"]),
    ]);
    expect(version).toBe("1.6.0");
    expect(stored).toBeUndefined();
    expect(values.size).toBe(0);
    expect(fake.requests).toEqual(["version", "set k 1 30 1", "get k"]);
    connection.close();
  });

  it("rejects server error lines and NOT_STORED without dropping the connection", async () => {
    fake = new FakeMemcached((line) =>
      line.startsWith("set big")
        ? "SERVER_ERROR object too large for cache\r\n"
        : line.startsWith("set")
          ? "NOT_STORED\r\n"
          : "END\r\n",
    );
    const connection = new MemcachedConnection("127.0.0.1", await fake.start(), 2000);
    await expect(connection.set("big", { flags: 0, data: Buffer.from("x") }, 0)).rejects.toThrow(
      MemcachedServerError,
    );
    await expect(connection.set("k", { flags: 0, data: Buffer.from("x") }, 0)).rejects.toThrow(/NOT_STORED/);
    expect((await connection.get(["k"])).size).toBe(0);
    connection.close();
  });

  it("fails with a network error on timeout, on refusal and on garbage", async () => {
    fake = new FakeMemcached((line) => (line.startsWith("get bad") ? "WHAT\r\n" : undefined));
    const port = await fake.start();
    const connection = new MemcachedConnection("127.0.0.1", port, 200);
    const started = Date.now();
    await expect(connection.version()).rejects.toThrow(/no answer within 200 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(connection.get(["bad"])).rejects.toThrow(/unexpected answer/);
    await fake.stop();
    fake = undefined;
    await expect(connection.version()).rejects.toThrow(MemcachedNetworkError);
  });
});

describe("MemcachedClient keys", () => {
  let fake: FakeMemcached | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });

  it("prefixes the namespace, digests long keys and refuses keys with spaces", async () => {
    fake = new FakeMemcached((line) => (line.startsWith("get") ? "END\r\n" : "VERSION 1\r\n"));
    const port = await fake.start();
    const client = new MemcachedClient({
      hosts: [`127.0.0.1:${port}`],
      namespace: "ns",
      ttl: 0,
      timeoutMs: 1000,
    });
    await client.connect();
    await client.getMulti(["short", "x".repeat(300)]);
    const get = fake.requests[1] as string;
    const [, first, second] = get.split(" ");
    expect(first).toBe("ns:short");
    expect(second).toMatch(/^ns:x+:md5:[0-9a-f]{32}$/);
    expect(second?.length).toBe(250);
    await expect(client.getMulti(["has space"])).rejects.toThrow(MemcachedKeyError);
    await expect(client.getMulti([""])).rejects.toThrow(/blank/);
    client.close();
  });

  it("turns a ttl over 30 days into a Unix time, as dalli does", async () => {
    fake = new FakeMemcached(() => "STORED\r\n");
    const port = await fake.start();
    const client = new MemcachedClient({
      hosts: [`127.0.0.1:${port}`],
      ttl: 31 * 24 * 3600,
      timeoutMs: 1000,
    });
    await client.set("k", "v");
    const exptime = Number((fake.requests[0] as string).split(" ")[3]);
    expect(exptime).toBeGreaterThan(Date.now() / 1000 + 30 * 24 * 3600);
    client.close();
  });
});

describe("memcached filter options", () => {
  const build = (values: Record<string, unknown>) =>
    memcachedFilter.create(
      ResolvedOptions.of({
        hosts: ["localhost"],
        ttl: 0,
        tag_on_failure: "_memcached_failure",
        ...values,
      } as never),
      quietContext(memcachedFilter, ResolvedOptions.of({})),
    );

  it("declares Logstash's options and defaults", () => {
    expect(memcachedFilter.options.hosts?.default).toEqual(["localhost"]);
    expect(memcachedFilter.options.ttl?.default).toBe(0);
    expect(memcachedFilter.options.tag_on_failure?.default).toBe("_memcached_failure");
    expect(Object.keys(memcachedFilter.options).sort()).toEqual([
      "get",
      "hosts",
      "namespace",
      "set",
      "tag_on_failure",
      "ttl",
    ]);
  });

  it("refuses a negative ttl and empty hosts", () => {
    expect(() => build({ ttl: -1 })).toThrow(/'ttl' option cannot be negative/);
    expect(() => build({ hosts: [] })).toThrow(/'hosts' cannot be empty/);
  });

  it("refuses to register when no server answers, and tags events while down", async () => {
    const fake = new FakeMemcached(() => undefined);
    const port = await fake.start();
    await fake.stop();
    const filter = build({ hosts: [`127.0.0.1:${port}`], get: { k: "f" }, tag_on_failure: "down" });
    await expect(filter.register?.()).rejects.toThrow(/failed to connect to memcached/);
    const event = new Event({});
    expect(await filter.filter(event, () => {})).toBe(false);
    expect(event.get("tags")).toEqual(["down"]);
    await filter.close?.();
  });
});

describe("memcached filter from config text", () => {
  const harness = filterHarness(memcachedFilter);

  it("takes Logstash's config shapes", () => {
    const { options } = harness.configure(
      'hosts => ["127.0.0.1:11211", "[::1]"] namespace => "threats" get => { "hostname:%{[hostname]}" => "[threats][host]" } set => { "[ip]" => "ip:%{ip}" } ttl => "30"',
    );
    expect(options.stringArray("hosts")).toEqual(["127.0.0.1:11211", "[::1]"]);
    expect(options.hash("get")).toEqual({ "hostname:%{[hostname]}": "[threats][host]" });
    expect(options.number("ttl")).toBe(30);
    expect(options.string("tag_on_failure")).toBe("_memcached_failure");
    expect(harness.refused('hosts => "localhost:99999"')).toMatch(/bad port/);
    expect(harness.refused("ttl => -5")).toMatch(/cannot be negative/);
    expect(harness.refused('get => { "k" => "[f]" }')).toBe("accepted");
  });
});
