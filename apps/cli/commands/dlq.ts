import type { Command } from "commander";
import pino from "pino";
import { createKafka } from "../../../src/kafka/kafka-client";
import { type DeadLetter, listDeadLetters, redriveDeadLetters } from "../../../src/retry";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { systemTopics } from "../../../src/topics/system-topics";
import { presentDeadLetter } from "../../api/failure-routes";
import { table } from "./stack";

interface DlqFlags {
  project: string;
  stream?: string;
  since?: string;
  format: string;
  dryRun?: boolean;
  brokers?: string;
  topicPrefix?: string;
  retryLadder?: string;
}

/**
 * `dlq list|redrive`: operator commands on the dead-letter topic. They talk to Kafka directly (as
 * the connector does), with the connector's settings; the HTTP API offers the same per stream.
 */
export function registerDlqCommands(program: Command): void {
  const dlq = program.command("dlq").description("dead letters: deliveries that exhausted the retry ladder");
  common(dlq.command("list"))
    .description("list a project's dead letters")
    .option("--format <format>", "table or json", "table")
    .action(async (flags: DlqFlags) => {
      const { kafka, topics, filter } = setup(flags);
      const letters = await listDeadLetters(kafka, topics, filter);
      process.stdout.write(
        flags.format === "json"
          ? `${JSON.stringify(letters.map(presentDeadLetter), null, 2)}\n`
          : render(letters),
      );
    });
  common(dlq.command("redrive"))
    .description("put dead letters back on the first retry tier (each at most once)")
    .option("--dry-run", "only count what would be redriven")
    .action(async (flags: DlqFlags) => {
      const { kafka, topics, filter, config } = setup(flags);
      const first = config.retryLadder[0];
      if (!first) throw new Error("the retry ladder is empty");
      const result = await redriveDeadLetters(
        kafka,
        topics,
        { ...first, topic: topics.retryTier(first.name) },
        filter,
        {
          dryRun: flags.dryRun,
          onProgress: (done, total) => process.stderr.write(`redriven ${done}/${total}\n`),
        },
      );
      const verb = flags.dryRun ? "would redrive" : "redrove";
      process.stdout.write(
        `${verb} ${result.redriven} of ${result.matched} dead letters (${result.alreadyRedriven} redriven before)\n`,
      );
    });
}

function common(command: Command): Command {
  return command
    .requiredOption("--project <id>", "the project id")
    .option("--stream <id>", "only this stream's dead letters")
    .option("--since <time>", "only those parked since this ISO time")
    .option("--brokers <list>", "Kafka bootstrap servers (env KAFKA_BROKERS)")
    .option("--topic-prefix <prefix>", "prefix of every topic (env EVENTSTREAMS_TOPIC_PREFIX)")
    .option("--retry-ladder <steps>", "the connector's retry ladder (env EVENTSTREAMS_RETRY_LADDER)");
}

function setup(flags: DlqFlags) {
  const config = connectorConfig(flags);
  const since = flags.since === undefined ? undefined : Date.parse(flags.since);
  if (since !== undefined && Number.isNaN(since)) throw new Error(`--since "${flags.since}" is not a time`);
  const kafka = createKafka(
    { clientId: "eventstreams-dlq", brokers: config.brokers },
    pino({ level: "warn" }),
  );
  return {
    config,
    kafka,
    topics: systemTopics(config.topicPrefix),
    filter: { projectId: flags.project, streamId: flags.stream, since },
  };
}

function render(letters: DeadLetter[]): string {
  if (letters.length === 0) return "no dead letters\n";
  return table(
    ["POSITION", "PARKED AT", "STREAM", "REASON", "ATTEMPTS", "LAST ERROR", "REDRIVEN"],
    letters.map((d) => [
      d.position,
      d.parkedAt,
      d.streamId || "-",
      d.reason,
      String(d.attempts),
      `${d.lastError.code ?? "-"}: ${(d.lastError.message ?? "").slice(0, 60)}`,
      d.redriven ? "yes" : "no",
    ]),
  );
}
