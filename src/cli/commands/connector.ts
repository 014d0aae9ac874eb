import type { Command } from "commander";
import { type ConnectorFlags, connectorConfig } from "../../../connectors/connector-config";
import { startConnector } from "../../../connectors/run-connector";
import { createLogger } from "../../logging";

export function registerConnectorCommand(program: Command): void {
  program
    .command("connector")
    .description("run the sink connector: deliver every event to its project's active streams")
    .option("--brokers <list>", "Kafka bootstrap servers (env KAFKA_BROKERS)")
    .option("--registry-url <url>", "schema registry, Confluent API (env SCHEMA_REGISTRY_URL)")
    .option(
      "--group-id <id>",
      "consumer group; instances with the same id share the work (env EVENTSTREAMS_GROUP_ID)",
    )
    .option("--topic-prefix <prefix>", "prefix of every topic (env EVENTSTREAMS_TOPIC_PREFIX)")
    .option("--linger-ms <ms>", "how long a partial batch waits for more events (default 20)")
    .option("--concurrency <n>", "partitions processed at once (default 6)")
    .option("--session-timeout-ms <ms>", "how soon a crashed instance's partitions move (default 30000)")
    .action(async (flags: ConnectorFlags) => {
      const config = connectorConfig(flags);
      const logger = createLogger("connector");
      const running = await startConnector(config, logger);
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) {
          logger.warn({ signal }, "second signal: exiting at once");
          process.exit(130);
        }
        stopping = true;
        logger.info({ signal }, "stopping: finishing in-flight deliveries, committing, leaving the group");
        running.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ error: String(error) }, "unclean stop");
            process.exit(1);
          },
        );
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
    });
}
