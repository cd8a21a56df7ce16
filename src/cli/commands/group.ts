// `sluice group list|describe|reset-offsets|delete`: consumer-group administration against any Kafka-compatible
// cluster, in the style of kafka-consumer-groups; every request goes to the group's coordinator.

import type { Command } from "commander";
import type {
  GroupDescription,
  OffsetResetRow,
  PartitionLag,
  ResetTarget,
} from "../../kafka/client/index.js";
import { bootstrapHelp, parseNonNegativeInt, UsageError, withClient } from "../options.js";

interface BootstrapFlag {
  bootstrap?: string;
}

interface ResetFlags extends BootstrapFlag {
  topic: string;
  partition?: number[];
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  toDatetime?: string;
  dryRun?: boolean;
}

/** Left-aligned columns two spaces apart, with a header row; every cell already a string. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return `${[headers, ...rows].map(line).join("\n")}\n`;
}

const orDash = (v: bigint | string | null) => (v === null ? "-" : String(v));

/** A group header line, the members with their assignments, then one line per partition with its lag. */
export function formatGroup(d: GroupDescription, lag: PartitionLag[]): string {
  const c = d.coordinator;
  let out =
    `Group: ${d.groupId}  State: ${d.state}  ProtocolType: ${d.protocolType || "-"}  Protocol: ${d.protocol || "-"}` +
    `  Coordinator: ${c.nodeId} (${c.host}:${c.port})\n`;
  out += `\n${d.members.length} member(s)\n`;
  if (d.members.length > 0) {
    const rows = d.members.map((m) => [
      m.memberId,
      m.groupInstanceId ?? "-",
      m.clientId,
      m.clientHost,
      m.assignment === null
        ? "(not a consumer assignment)"
        : m.assignment.map((t) => `${t.topic}:${t.partitions.join(",")}`).join(" ") || "-",
    ]);
    out += formatTable(["MEMBER-ID", "INSTANCE-ID", "CLIENT-ID", "HOST", "ASSIGNMENT"], rows);
  }
  if (lag.length > 0) {
    const rows = lag.map((p) => [
      p.topic,
      String(p.partition),
      orDash(p.committedOffset),
      orDash(p.logEndOffset),
      orDash(p.lag),
      orDash(p.memberId),
      orDash(p.clientId),
      orDash(p.clientHost),
    ]);
    out += `\n${formatTable(["TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT-ID", "HOST"], rows)}`;
  }
  return out;
}

/** The JSON shape of `group describe --json`: the description plus the per-partition offsets. */
export function groupJson(d: GroupDescription, lag: PartitionLag[]): string {
  const members = d.members.map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    assignment: m.assignment,
  }));
  return `${JSON.stringify({ ...d, members, offsets: lag }, (_k, v) => (typeof v === "bigint" ? Number(v) : v))}\n`;
}

export function formatPlan(groupId: string, plan: OffsetResetRow[]): string {
  const rows = plan.map((r) => [
    groupId,
    r.topic,
    String(r.partition),
    orDash(r.currentOffset),
    String(r.newOffset),
  ]);
  return formatTable(["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"], rows);
}

/** Exactly one --to-* flag, as a reset target; anything else is a usage error. */
export function resetTargetFromFlags(flags: ResetFlags): ResetTarget {
  const targets: ResetTarget[] = [];
  if (flags.toEarliest) targets.push({ kind: "earliest" });
  if (flags.toLatest) targets.push({ kind: "latest" });
  if (flags.toOffset !== undefined) targets.push({ kind: "offset", offset: parseOffset(flags.toOffset) });
  if (flags.toDatetime !== undefined) targets.push({ kind: "datetime", ms: parseDatetime(flags.toDatetime) });
  if (targets.length !== 1)
    throw new UsageError(
      "group reset-offsets: give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime",
    );
  return targets[0];
}

function parseOffset(value: string): bigint {
  if (!/^\d+$/.test(value))
    throw new UsageError(`--to-offset: expected a non-negative integer, got "${value}"`);
  return BigInt(value);
}

/** ISO-8601 datetime (a date alone means midnight UTC) to ms since the epoch. */
export function parseDatetime(value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`--to-datetime: expected an ISO-8601 datetime, got "${value}"`);
  return ms;
}

/** Commander accumulator for the repeatable --partition. */
function collectPartition(value: string, previous: number[] = []): number[] {
  return [...previous, parseNonNegativeInt(value)];
}

async function describeCommand(groupId: string, flags: BootstrapFlag & { json?: boolean }): Promise<void> {
  const [description, lag] = await withClient(flags.bootstrap, async (client) => {
    const [d] = await client.describeGroups([groupId]);
    if (d.state === "Dead") throw new Error(`group ${groupId} does not exist`);
    return [d, await client.groupLag(d)] as const;
  });
  process.stdout.write(flags.json ? groupJson(description, lag) : formatGroup(description, lag));
}

async function resetCommand(groupId: string, flags: ResetFlags): Promise<void> {
  const target = resetTargetFromFlags(flags);
  const plan = await withClient(flags.bootstrap, (client) =>
    client.resetOffsets(groupId, flags.topic, target, { partitions: flags.partition, dryRun: flags.dryRun }),
  );
  process.stdout.write(formatPlan(groupId, plan));
  process.stdout.write(
    flags.dryRun ? "Dry run: no offsets committed.\n" : `Reset offsets of group ${groupId}.\n`,
  );
}

async function deleteCommand(groupIds: string[], flags: BootstrapFlag): Promise<void> {
  const results = await withClient(flags.bootstrap, (client) => client.deleteGroups(groupIds));
  for (const r of results) {
    if (r.errorCode === 0) process.stdout.write(`Deleted group ${r.groupId}.\n`);
    else process.stderr.write(`sluice: delete group ${r.groupId}: ${r.error}\n`);
  }
  if (results.some((r) => r.errorCode !== 0)) process.exitCode = 1;
}

export function registerGroup(program: Command): void {
  const group = program
    .command("group")
    .description("list, describe, reset offsets of and delete consumer groups");

  group
    .command("list")
    .description("print group ids, one per line")
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .option("--json", "print a JSON array with each group's protocol type and state")
    .action(async (flags: BootstrapFlag & { json?: boolean }) => {
      const groups = await withClient(flags.bootstrap, (client) => client.listGroups());
      if (flags.json) process.stdout.write(`${JSON.stringify(groups)}\n`);
      else if (groups.length > 0) process.stdout.write(`${groups.map((g) => g.groupId).join("\n")}\n`);
    });

  group
    .command("describe <group>")
    .description(
      "print state, protocol, members with their assignments, and per partition the committed offset, log end and lag",
    )
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .option("--json", "print one JSON object instead of text")
    .action(describeCommand);

  group
    .command("reset-offsets <group>")
    .description("move a group's committed offsets on a topic (refused while the group has members)")
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .requiredOption("-t, --topic <topic>", "the topic whose offsets to reset")
    .option("-p, --partition <n>", "only this partition, repeatable (default: all)", collectPartition)
    .option("--to-earliest", "the log start of each partition")
    .option("--to-latest", "the log end of each partition")
    .option("--to-offset <n>", "this offset, clamped into each partition's log start..end")
    .option(
      "--to-datetime <iso>",
      "the first offset at or after this ISO-8601 datetime (the log end if none)",
    )
    .option("--dry-run", "print the plan without committing it")
    .action(resetCommand);

  group
    .command("delete <groups...>")
    .description("delete empty groups and their committed offsets")
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .action(deleteCommand);
}
