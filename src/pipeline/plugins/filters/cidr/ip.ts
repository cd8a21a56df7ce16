// IPv4 and IPv6 addresses and networks as Ruby's IPAddr reads them ("10.0.0.0/8", "10.0.0.0/255.0.0.0",
// "2001:db8::/32", a bare address as a one-host network), and the membership test.

import { isIP } from "node:net";

export interface IpNetwork {
  family: 4 | 6;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

/** An address as a number, or undefined when it is not an IPv4/IPv6 address. */
export function parseAddress(text: string): IpAddress | undefined {
  const family = isIP(text);
  if (family === 4) return { family, value: ipv4Value(text) };
  if (family === 6) return { family, value: ipv6Value(text) };
  return undefined;
}

/** A network or single address; undefined when malformed. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf("/");
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const bits = address.family === 4 ? 32 : 128;
  const prefix = slash < 0 ? bits : prefixOf(text.slice(slash + 1), address.family);
  if (prefix === undefined || prefix < 0 || prefix > bits) return undefined;
  return { family: address.family, base: address.value & maskOf(prefix, bits), prefix };
}

export function networkIncludes(network: IpNetwork, address: IpAddress): boolean {
  if (network.family !== address.family) return false;
  const bits = network.family === 4 ? 32 : 128;
  return (address.value & maskOf(network.prefix, bits)) === network.base;
}

function prefixOf(text: string, family: 4 | 6): number | undefined {
  if (/^\d{1,3}$/.test(text)) return Number(text);
  // A netmask: only contiguous masks are networks.
  const mask = parseAddress(text);
  if (mask === undefined || mask.family !== family) return undefined;
  const bits = family === 4 ? 32 : 128;
  const binary = mask.value.toString(2).padStart(bits, "0");
  return /^1*0*$/.test(binary) ? (binary.indexOf("0") < 0 ? bits : binary.indexOf("0")) : undefined;
}

function maskOf(prefix: number, bits: number): bigint {
  if (prefix === 0) return 0n;
  return ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let body = text.toLowerCase().replace(/%.*$/, "");
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4 !== null) {
    const value = ipv4Value(v4[1]!);
    body = `${body.slice(0, v4.index)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = body.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}
