import type { Command } from "commander";
import { Kafka, logLevel } from "kafkajs";
import { DEFAULT_TOPIC_SETTINGS, ensureDomainTopics } from "../../../src/topics/create-topics";
import { defaultBrokers, defaultTopicPrefix, duration, positiveInteger } from "../options";
import { table } from "./stack";

interface TopicOptions {
  brokers?: string;
  prefix: string;
  partitions: number;
  replicationFactor?: number;
  retention: number;
  minInsyncReplicas?: number;
  json?: boolean;
}

export function registerTopicsCommands(program: Command): void {
  const topics = program.command("topics").description("the per-domain Kafka topics");
  topics
    .command("create")
    .description("create the missing domain topics (idempotent: existing topics are left as they are)")
    .option("--brokers <list>", "Kafka bootstrap brokers (default KAFKA_BROKERS or the local stack)")
    .option("--prefix <prefix>", "topic prefix (default EVENTSTREAMS_TOPIC_PREFIX)", defaultTopicPrefix())
    .option(
      "--partitions <n>",
      "partitions per topic",
      positiveInteger("--partitions"),
      DEFAULT_TOPIC_SETTINGS.partitions,
    )
    .option(
      "--replication-factor <n>",
      "replicas per partition (default: the broker's)",
      positiveInteger("--replication-factor"),
    )
    .option(
      "--retention <duration>",
      "how long records are kept, e.g. 7d or 48h",
      duration("--retention"),
      DEFAULT_TOPIC_SETTINGS.retentionMs,
    )
    .option(
      "--min-insync-replicas <n>",
      "replicas that must have a write (default: the broker's)",
      positiveInteger("--min-insync-replicas"),
    )
    .option("--json", "print as JSON")
    .action(async (options: TopicOptions) => {
      const brokers = (options.brokers ?? defaultBrokers()).split(",");
      const admin = new Kafka({ clientId: "eventstreams-topics", brokers, logLevel: logLevel.ERROR }).admin();
      try {
        await admin.connect();
      } catch (error) {
        throw new Error(
          `cannot connect to Kafka broker(s) ${brokers.join(",")}: ${(error as Error).message}`,
        );
      }
      try {
        const outcomes = await ensureDomainTopics(admin, {
          prefix: options.prefix,
          partitions: options.partitions,
          replicationFactor: options.replicationFactor ?? DEFAULT_TOPIC_SETTINGS.replicationFactor,
          retentionMs: options.retention,
          minInsyncReplicas: options.minInsyncReplicas,
        });
        if (options.json) return void process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
        const rows = outcomes.map((o) => [o.topic, o.created ? "created" : "exists", String(o.partitions)]);
        process.stdout.write(table(["TOPIC", "RESULT", "PARTITIONS"], rows));
      } finally {
        await admin.disconnect();
      }
    });
}
