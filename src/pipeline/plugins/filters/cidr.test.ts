import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { networkIncludes, parseAddress, parseNetwork } from "./cidr/ip.js";
import { cidrFilter } from "./cidr.js";
import { filterHarness } from "./testing.js";

const SPEC = cidrFilter;
const { setup, refused, diagnosticsOf } = filterHarness(SPEC);

function tmpFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "sluice-cidr-")), "networks");
  writeFileSync(path, text);
  return path;
}

describe("cidr filter", () => {
  it("matches an sprintf'd address inside a network", () => {
    const { run } = setup(`address => ["%{clientip}"] network => ["192.168.0.0/24"]`);
    expect(run({ clientip: "192.168.0.30" }).matched).toBe(true);
    expect(run({ clientip: "192.168.1.30" }).matched).toBe(false);
  });

  it("several addresses and networks, comma lists and sprintf in networks", () => {
    const { run } = setup(`address => ["%{a}", "%{b}"] network => ["%{net}", "172.16.0.0/12 , 10.0.0.0/8"]`);
    expect(run({ a: "1.1.1.1", b: "10.2.3.4", net: "8.8.8.0/24" }).matched).toBe(true);
    expect(run({ a: "8.8.8.8", b: "1.1.1.1", net: "8.8.8.0/24" }).matched).toBe(true);
    expect(run({ a: "172.32.0.1", b: "1.1.1.1", net: "8.8.8.0/24" }).matched).toBe(false);
  });

  it("handles IPv6 networks and never mixes families", () => {
    const { run } = setup(`address => ["%{ip}"] network => ["2001:db8::/32", "::ffff:0:0/96"]`);
    expect(run({ ip: "2001:db8:1::5" }).matched).toBe(true);
    expect(run({ ip: "2001:db9::5" }).matched).toBe(false);
    expect(run({ ip: "::ffff:10.0.0.1" }).matched).toBe(true);
    expect(run({ ip: "10.0.0.1" }).matched).toBe(false);
  });

  it("address_field takes a field holding one address or an array", () => {
    const { run } = setup(`address_field => "[src][ips]" network => ["10.0.0.0/8"]`);
    expect(run({ src: { ips: ["1.2.3.4", "10.9.9.9"] } }).matched).toBe(true);
    expect(run({ src: { ips: "10.1.1.1" } }).matched).toBe(true);
    expect(run({}).matched).toBe(false);
    expect(refused(`address_field => "a" address => ["%{b}"]`)).toContain("mutually exclusive");
  });

  it("skips invalid addresses and networks with a warning", () => {
    const { run, logs } = setup(`address => ["%{ip}"] network => ["bogus", "10.0.0.0/8"]`);
    expect(run({ ip: "10.0.0.1" }).matched).toBe(true);
    expect(run({ ip: "not-an-ip" }).matched).toBe(false);
    expect(logs.some((l) => l.includes("Invalid IP network, skipping"))).toBe(true);
    expect(logs.some((l) => l.includes("Invalid IP address, skipping"))).toBe(true);
  });

  it("reads networks from network_path with a separator, refreshing every refresh_interval", () => {
    const path = tmpFile("10.0.0.0/8\n192.168.0.0/16\n");
    const { run } = setup(`address => ["%{ip}"] network_path => "${path}" refresh_interval => 0`);
    expect(run({ ip: "192.168.4.4" }).matched).toBe(true);
    writeFileSync(path, "172.16.0.0/12\n");
    expect(run({ ip: "192.168.4.4" }).matched).toBe(false);
    expect(run({ ip: "172.16.1.1" }).matched).toBe(true);
    const commas = tmpFile("10.0.0.0/8,192.168.0.0/16");
    expect(
      setup(`address => ["%{ip}"] network_path => "${commas}" separator => ","`).run({ ip: "192.168.1.1" })
        .matched,
    ).toBe(true);
    const slow = setup(`address => ["%{ip}"] network_path => "${path}"`);
    writeFileSync(path, "1.0.0.0/8\n");
    expect(slow.run({ ip: "172.16.1.1" }).matched).toBe(true);
    expect(refused(`network_path => "${path}" network => ["10.0.0.0/8"]`)).toContain("mutually exclusive");
  });

  it("parses networks as IPAddr does: bare addresses, netmasks, host bits cleared", () => {
    const host = parseNetwork("10.0.0.1")!;
    expect(networkIncludes(host, parseAddress("10.0.0.1")!)).toBe(true);
    expect(networkIncludes(host, parseAddress("10.0.0.2")!)).toBe(false);
    const masked = parseNetwork("10.1.2.3/255.255.0.0")!;
    expect(masked.prefix).toBe(16);
    expect(networkIncludes(masked, parseAddress("10.1.99.1")!)).toBe(true);
    expect(parseNetwork("10.0.0.0/33")).toBeUndefined();
    expect(parseNetwork("10.0.0.0/255.0.255.0")).toBeUndefined();
    expect(networkIncludes(parseNetwork("0.0.0.0/0")!, parseAddress("8.8.8.8")!)).toBe(true);
    expect(diagnosticsOf(`network_path => "/no/such/file"`).map((d) => d.code)).toEqual(["invalid-option"]);
  });
});
