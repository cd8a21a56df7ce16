// `sluice topic create|list|describe|delete|alter`: topic administration against any Kafka-compatible cluster.

import type { Command } from "commander";
import type { TopicDescription } from "../../kafka/client/index.js";
import {
  bootstrapHelp,
  collect,
  collectKeyValue,
  parsePositiveInt,
  UsageError,
  withClient,
} from "../options.js";

interface BootstrapFlag {
  bootstrap?: string;
}

/** kafka-topics --describe style: one topic line, then one line per partition. */
export function formatDescription(d: TopicDescription): string {
  const replication = d.partitions[0]?.replicas.length ?? 0;
  const changed = d.configs
    .filter((c) => !c.isDefault)
    .map((c) => `${c.name}=${c.isSensitive ? "(sensitive)" : c.value}`);
  const lines = [
    `Topic: ${d.name}\tPartitions: ${d.partitions.length}\tReplicationFactor: ${replication}\tConfigs: ${changed.join(",")}`,
  ];
  for (const p of d.partitions) {
    lines.push(
      `\tPartition: ${p.partition}\tLeader: ${p.leader}\tReplicas: ${p.replicas.join(",")}\tIsr: ${p.isr.join(",")}` +
        `\tLogStartOffset: ${p.logStartOffset}\tLogEndOffset: ${p.logEndOffset}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function registerTopic(program: Command): void {
  const topic = program.command("topic").description("create, list, describe, alter and delete topics");

  topic
    .command("create <name>")
    .description("create a topic")
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .option(
      "-p, --partitions <n>",
      "number of partitions (default: the broker's num.partitions)",
      parsePositiveInt,
    )
    .option(
      "-r, --replication-factor <n>",
      "replicas per partition (default: the broker's default)",
      parsePositiveInt,
    )
    .option(
      "-c, --config <key=value>",
      "topic config by its Kafka name, repeatable (e.g. retention.ms=86400000)",
      collectKeyValue,
    )
    .action(
      async (
        name: string,
        flags: BootstrapFlag & {
          partitions?: number;
          replicationFactor?: number;
          config?: Record<string, string>;
        },
      ) => {
        await withClient(flags.bootstrap, (client) =>
          client.createTopics([
            {
              name,
              partitions: flags.partitions,
              replicationFactor: flags.replicationFactor,
              configs: flags.config,
            },
          ]),
        );
        process.stdout.write(`Created topic ${name}.\n`);
      },
    );

  topic
    .command("list")
    .description("print topic names, one per line")
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .option("--internal", "include internal topics such as __consumer_offsets")
    .action(async (flags: BootstrapFlag & { internal?: boolean }) => {
      const names = await withClient(flags.bootstrap, (client) => client.listTopics(flags.internal ?? false));
      if (names.length > 0) process.stdout.write(`${names.join("\n")}\n`);
    });

  topic
    .command("describe <name>")
    .description(
      "print partitions (leader, replicas, log start/end offsets) and configs that differ from the defaults",
    )
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .option("--json", "print one JSON object instead of text")
    .action(async (name: string, flags: BootstrapFlag & { json?: boolean }) => {
      const description = await withClient(flags.bootstrap, (client) => client.describeTopic(name));
      if (flags.json)
        process.stdout.write(
          `${JSON.stringify(description, (_k, v) => (typeof v === "bigint" ? Number(v) : v))}\n`,
        );
      else process.stdout.write(formatDescription(description));
    });

  topic
    .command("delete <name>")
    .description("delete a topic and its data")
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .action(async (name: string, flags: BootstrapFlag) => {
      await withClient(flags.bootstrap, (client) => client.deleteTopics([name]));
      process.stdout.write(`Deleted topic ${name}.\n`);
    });

  topic
    .command("alter <name>")
    .description("add partitions and set or remove topic configs")
    .option("-b, --bootstrap <brokers>", bootstrapHelp)
    .option("--partitions <n>", "new total number of partitions (can only grow)", parsePositiveInt)
    .option("-c, --config <key=value>", "set a topic config, repeatable", collectKeyValue)
    .option(
      "--delete-config <key>",
      "remove a topic config override (back to the default), repeatable",
      collect,
    )
    .action(
      async (
        name: string,
        flags: BootstrapFlag & {
          partitions?: number;
          config?: Record<string, string>;
          deleteConfig?: string[];
        },
      ) => {
        if (flags.partitions === undefined && !flags.config && !flags.deleteConfig) {
          throw new UsageError("topic alter: give --partitions, --config or --delete-config");
        }
        await withClient(flags.bootstrap, async (client) => {
          if (flags.partitions !== undefined) await client.createPartitions(name, flags.partitions);
          await client.alterTopicConfigs(name, { set: flags.config, delete: flags.deleteConfig });
        });
        process.stdout.write(`Altered topic ${name}.\n`);
      },
    );
}
