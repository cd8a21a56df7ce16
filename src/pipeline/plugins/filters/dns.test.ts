import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TtlLruCache } from "./dns/cache.js";
import { dnsFilter } from "./dns.js";
import { filterHarness } from "./testing.js";

const SPEC = dnsFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

// ---------------------------------------------------------------- a tiny DNS server over UDP (A, AAAA, PTR)

interface Zone {
  a: Record<string, string>;
  aaaa: Record<string, string>;
  ptr: Record<string, string>;
  /** Names never answered (to provoke timeouts). */
  silent: Set<string>;
}

const zone: Zone = {
  a: { "example.test": "10.1.2.3", "www.corp.test": "10.9.9.9", "xn--bcher-kva.test": "10.4.4.4" },
  aaaa: { "six.test": "2001:db8::1" },
  ptr: { "3.2.1.10.in-addr.arpa": "host.example.test" },
  silent: new Set(["slow.test", "4.3.2.1.in-addr.arpa"]),
};
const queries: string[] = [];

function readName(packet: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let offset = start;
  while (packet[offset]! !== 0) {
    const length = packet[offset]!;
    labels.push(packet.subarray(offset + 1, offset + 1 + length).toString("latin1"));
    offset += length + 1;
  }
  return { name: labels.join("."), end: offset + 1 };
}

function encodeName(name: string): Buffer {
  const parts = name
    .split(".")
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function answer(query: Buffer): Buffer | undefined {
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  const lower = name.toLowerCase();
  queries.push(`${type}:${lower}`);
  if (zone.silent.has(lower)) return undefined;
  let rdata: Buffer | undefined;
  if (type === 1 && zone.a[lower]) rdata = Buffer.from(zone.a[lower]!.split(".").map(Number));
  if (type === 28 && zone.aaaa[lower]) rdata = Buffer.from("20010db8000000000000000000000001", "hex");
  if (type === 12 && zone.ptr[lower]) rdata = encodeName(zone.ptr[lower]!);
  const known = zone.a[lower] ?? zone.aaaa[lower] ?? zone.ptr[lower];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8180 | (known === undefined ? 3 : 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rdata === undefined ? 0 : 1, 6);
  const question = query.subarray(12, end + 4);
  if (rdata === undefined) return Buffer.concat([header, question]);
  const record = Buffer.alloc(12);
  record.writeUInt16BE(0xc00c, 0);
  record.writeUInt16BE(type, 2);
  record.writeUInt16BE(1, 4);
  record.writeUInt32BE(60, 6);
  record.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, question, record, rdata]);
}

let server: Socket;
let nameserver = "";

beforeAll(async () => {
  server = createSocket("udp4");
  server.on("message", (message, remote) => {
    const reply = answer(message);
    if (reply !== undefined) server.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
  nameserver = `127.0.0.1:${server.address().port}`;
});

afterAll(() => server.close());

function hostsFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "sluice-dns-")), "hosts");
  writeFileSync(path, text);
  return path;
}

describe("dns filter", () => {
  it("resolve appends the address by default", async () => {
    const { runAsync } = setup(`resolve => ["host"] nameserver => ["${nameserver}"]`);
    const { event, matched } = await runAsync({ host: "example.test" });
    expect(matched).toBe(true);
    expect(event.get("host")).toEqual(["example.test", "10.1.2.3"]);
  });

  it("action => replace replaces the value (keeping a one-element array an array)", async () => {
    const { runAsync } = setup(`resolve => ["host"] action => "replace" nameserver => ["${nameserver}"]`);
    expect((await runAsync({ host: "example.test" })).event.get("host")).toBe("10.1.2.3");
    expect((await runAsync({ host: ["example.test"] })).event.get("host")).toEqual(["10.1.2.3"]);
  });

  it("falls back to AAAA and converts international names to punycode", async () => {
    const { runAsync } = setup(`resolve => ["h"] action => "replace" nameserver => ["${nameserver}"]`);
    expect((await runAsync({ h: "six.test" })).event.get("h")).toBe("2001:db8::1");
    expect((await runAsync({ h: "bücher.test" })).event.get("h")).toBe("10.4.4.4");
  });

  it("reverse looks up the name of an address; non-addresses are skipped unmatched", async () => {
    const { runAsync } = setup(
      `reverse => ["ip"] action => "replace" nameserver => { address => ["${nameserver}"] }`,
    );
    expect((await runAsync({ ip: "10.1.2.3" })).event.get("ip")).toBe("host.example.test");
    const notIp = await runAsync({ ip: "hello" });
    expect(notIp.matched).toBe(false);
    expect(notIp.event.get("ip")).toBe("hello");
    const appended = setup(`reverse => ["ip"] nameserver => ["${nameserver}"]`);
    expect((await appended.runAsync({ ip: ["10.1.2.3"] })).event.get("ip")).toEqual([
      "10.1.2.3",
      "host.example.test",
    ]);
  });

  it("an unknown name leaves the event unmatched and untouched", async () => {
    const { runAsync } = setup(`resolve => ["host"] nameserver => ["${nameserver}"]`);
    const { event, matched } = await runAsync({ host: "nope.test" });
    expect(matched).toBe(false);
    expect(event.get("host")).toBe("nope.test");
    expect(event.get("tags")).toBeUndefined();
  });

  it("a timeout tags _dnstimeout after max_retries retries, for resolve and reverse", async () => {
    queries.length = 0;
    const { runAsync, failures } = setup(
      `resolve => ["host"] timeout => 0.05 max_retries => 1 nameserver => ["${nameserver}"]`,
    );
    const { event, matched } = await runAsync({ host: "slow.test" });
    expect(matched).toBe(false);
    expect(event.get("tags")).toEqual(["_dnstimeout"]);
    expect(queries.filter((q) => q === "1:slow.test").length).toBe(2);
    expect(failures).toEqual(["dns_timeout"]);
    const reverse = setup(
      `reverse => ["ip"] timeout => 0.05 max_retries => 0 tag_on_timeout => ["slow", "dns"] nameserver => ["${nameserver}"]`,
    );
    expect((await reverse.runAsync({ ip: "1.2.3.4" })).event.get("tags")).toEqual(["slow", "dns"]);
  });

  it("hit_cache avoids a second query; failed_cache skips a recently failed name", async () => {
    queries.length = 0;
    const { runAsync } = setup(
      `resolve => ["host"] hit_cache_size => 10 failed_cache_size => 10 nameserver => ["${nameserver}"]`,
    );
    await runAsync({ host: "example.test" });
    expect((await runAsync({ host: "example.test" })).event.get("host")).toEqual([
      "example.test",
      "10.1.2.3",
    ]);
    expect(queries.filter((q) => q === "1:example.test").length).toBe(1);
    await runAsync({ host: "nope.test" });
    const count = queries.length;
    expect((await runAsync({ host: "nope.test" })).matched).toBe(false);
    expect(queries.length).toBe(count);
  });

  it("the caches expire after their ttl and hold at most their size", () => {
    let now = 0;
    const cache = new TtlLruCache<string>(2, 1000, () => now);
    cache.set("a", "1");
    cache.set("b", "2");
    cache.get("a");
    cache.set("c", "3");
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe("1");
    now = 1000;
    expect(cache.get("c")).toBeUndefined();
    expect(setup(`resolve => ["h"] hit_cache_ttl => 1 failed_cache_ttl => 1`).filter).toBeDefined();
  });

  it("hostsfile entries win over DNS, both ways", async () => {
    const path = hostsFile("# comment\n192.168.7.7  printer.lan printer\n");
    const { runAsync } = setup(
      `resolve => ["h"] reverse => ["ip"] action => "replace" hostsfile => ["${path}"]`,
    );
    const { event, matched } = await runAsync({ h: "printer", ip: "192.168.7.7" });
    expect(matched).toBe(true);
    expect(event.get("h")).toBe("192.168.7.7");
    expect(event.get("ip")).toBe("printer.lan");
  });

  it("search domains expand short names (ndots)", async () => {
    const { runAsync } = setup(
      `resolve => ["h"] action => "replace" nameserver => { address => ["${nameserver}"] search => ["corp.test"] ndots => 1 }`,
    );
    expect((await runAsync({ h: "www" })).event.get("h")).toBe("10.9.9.9");
  });

  it("missing fields are skipped; multiple values and non-strings stop the filter", async () => {
    const { runAsync, logs } = setup(`resolve => ["a", "host"] nameserver => ["${nameserver}"]`);
    const missing = await runAsync({ host: "example.test" });
    expect(missing.matched).toBe(true);
    expect(logs.some((l) => l.includes("could not resolve missing field"))).toBe(true);
    const many = await runAsync({ a: ["x", "y"], host: "example.test" });
    expect(many.matched).toBe(false);
    expect(many.event.get("host")).toBe("example.test");
    expect((await runAsync({ a: 42 })).matched).toBe(false);
  });

  it("an address that is no IP (a template placeholder) is accepted; its lookups fail", async () => {
    const { runAsync, logs, failures } = setup(`resolve => ["h"] nameserver => ["VAR_DNS_SERVER"]`);
    expect(logs.some((l) => l.includes("unusable nameserver"))).toBe(true);
    const { event, matched } = await runAsync({ h: "example.test" });
    expect(matched).toBe(false);
    expect(event.get("h")).toBe("example.test");
    expect(failures).toEqual(["dns_error"]);
  });

  it("refuses malformed nameserver settings", () => {
    expect(refused(`nameserver => { search => ["x"] }`)).toContain("must include `address`");
    expect(refused(`nameserver => { address => "1.1.1.1" ndots => 0 }`)).toContain("ndots");
    expect(
      refused(`nameserver => { address => "1.1.1.1" search => ["a","b","c","d","e","f","g"] }`),
    ).toContain("maximum of 6");
    expect(refused(`nameserver => { address => "1.1.1.1" port => 53 }`)).toContain("Unknown `nameserver`");
    expect(diagnosticsOf(`action => "prepend"`).map((d) => d.code)).toEqual(["invalid-option"]);
  });
});
