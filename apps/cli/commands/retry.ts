import type { Command } from "commander";
import { formatDuration } from "../../../src/retry";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { systemTopics } from "../../../src/topics/system-topics";
import { table } from "./stack";

/** `retry schedule`: the ladder a connector started with the same settings would use. */
export function registerRetryCommands(program: Command): void {
  program
    .command("retry")
    .description("the retry path of the connector")
    .command("schedule")
    .description("print the retry ladder (EVENTSTREAMS_RETRY_LADDER or --retry-ladder) and its topics")
    .option("--retry-ladder <steps>", "comma-separated delays, e.g. 5s,30s,2m,10m,1h,6h")
    .option("--topic-prefix <prefix>", "prefix of every topic (env EVENTSTREAMS_TOPIC_PREFIX)")
    .option("--format <format>", "table or json", "table")
    .action((flags: { retryLadder?: string; topicPrefix?: string; format: string }) => {
      const config = connectorConfig(flags);
      const topics = systemTopics(config.topicPrefix);
      let cumulative = 0;
      const rows = config.retryLadder.map((t) => {
        cumulative += t.delayMs;
        return {
          attempt: t.index + 2,
          delay: t.name,
          delay_ms: t.delayMs,
          after_first_failure: formatDuration(cumulative),
          topic: topics.retryTier(t.name),
          group: `${config.groupId}.retry.${t.name}`,
        };
      });
      if (flags.format === "json") {
        process.stdout.write(
          `${JSON.stringify({ tiers: rows, jitter: config.retryJitter, dead_letter: topics.deadLetter }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(
        table(
          ["ATTEMPT", "DELAY", "AT MOST AFTER 1ST FAILURE", "TOPIC", "CONSUMER GROUP"],
          rows.map((r) => [String(r.attempt), r.delay, r.after_first_failure, r.topic, r.group]),
        ),
      );
      process.stdout.write(
        `then: ${topics.deadLetter} (dead letter)\njitter: ${config.retryJitter === "full" ? "full (each delay is uniform in [0, step])" : "none"}\n`,
      );
    });
}
