// Option parsers and helpers shared by the `sluice` subcommands: repeatable k=v, integers, the bootstrap client.

import { InvalidArgumentError } from "commander";
import { KafkaClient } from "../kafka/client/index.js";

export const defaultBootstrap = "localhost:9092";

/** The broker list: --bootstrap, else $SLUICE_BOOTSTRAP, else localhost:9092. */
export function bootstrapFrom(flag: string | undefined): string {
  return flag ?? process.env.SLUICE_BOOTSTRAP ?? defaultBootstrap;
}

/** Opens a client for one command; the caller closes it. */
export function openClient(bootstrap: string | undefined): KafkaClient {
  return new KafkaClient({
    bootstrap: bootstrapFrom(bootstrap),
    clientId: "sluice-cli",
    requestTimeoutMs: 30_000,
  });
}

/** Runs `body` with a client and always closes the client, so the process can exit. */
export async function withClient<T>(
  bootstrap: string | undefined,
  body: (client: KafkaClient) => Promise<T>,
): Promise<T> {
  const client = openClient(bootstrap);
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

/** Commander accumulator for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Commander parser for `key=value` (repeatable): builds an object. */
export function collectKeyValue(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Commander parser for `key=value` pairs kept in order, with repeats (for record headers). */
export function collectHeader(
  value: string,
  previous: Array<[string, string]> = [],
): Array<[string, string]> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

export function parseNonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`number too large: ${value}`);
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = parseNonNegativeInt(value);
  if (n === 0) throw new InvalidArgumentError("expected a positive integer, got 0");
  return n;
}

/** A wrong combination of flags noticed after parsing; main exits with code 2 like commander's own usage errors. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const bootstrapHelp =
  "broker list host:port[,host:port] (default: $SLUICE_BOOTSTRAP or localhost:9092)";
