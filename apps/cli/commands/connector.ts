import type { Command } from "commander";
import { collectDefaultMetrics, Gauge } from "prom-client";
import { LagMonitor } from "../../../connectors/metrics/lag-monitor";
import { applyConnectorHeapSettings } from "../../../connectors/node-flags";
import { startConnector } from "../../../connectors/run-connector";
import { DOMAINS } from "../../../src/events/domain-event";
import { createKafka } from "../../../src/kafka/kafka-client";
import { createLogger } from "../../../src/logging";
import { startOpsServer } from "../../../src/observability/ops-server";
import {
  type ConnectorFlags,
  connectorConfig,
  DEFAULT_DELIVERY_THREADS,
  DEFAULT_LINGER_MS,
} from "../../../src/settings/connector-settings";
import { domainTopic } from "../../../src/topics/domain-topics";

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
    .option(
      "--linger-ms <ms>",
      `how long a partial batch waits for more events (default ${DEFAULT_LINGER_MS})`,
    )
    .option(
      "--delivery-threads <n>",
      `threads making sink calls, 0 for none (env EVENTSTREAMS_DELIVERY_THREADS; default ${DEFAULT_DELIVERY_THREADS}; more for EVENTSTREAMS_AWS_TRANSPORT=sdk)`,
    )
    .option(
      "--sinks <module>",
      "your sinks: a compiled module and the function it exports, path#export (env EVENTSTREAMS_SINKS; default: the built-in sinks)",
    )
    .option("--concurrency <n>", "partitions processed at once (default 6)")
    .option("--session-timeout-ms <ms>", "how soon a crashed instance's partitions move (default 30000)")
    .option(
      "--no-retry-consumers",
      "leave the retry tiers to other instances (env EVENTSTREAMS_RETRY_CONSUMERS=false)",
    )
    .option("--retry-only", "run only the retry tiers, not the main path (env EVENTSTREAMS_RETRY_ONLY=true)")
    .option(
      "--nice <n>",
      "CPU priority, 0 (normal) to 19 (lowest) (env EVENTSTREAMS_NICE; default 10 with --retry-only, else 0)",
    )
    .option(
      "--ops-port <port>",
      "port of /metrics, /healthz, /readyz (env EVENTSTREAMS_OPS_PORT, default 9464; 0 picks one)",
    )
    .action(async (flags: ConnectorFlags) => {
      const config = connectorConfig(flags);
      applyConnectorHeapSettings();
      const logger = createLogger("connector");
      const running = await startConnector(config, logger);

      const admin = createKafka(
        { clientId: "eventstreams-connector-lag", brokers: config.brokers },
        logger,
      ).admin();
      await admin.connect();
      const topics = DOMAINS.map((d) => domainTopic(d, config.topicPrefix));
      const lag = new LagMonitor(admin, config.groupId, topics, running.connector.metricsRegistry);
      lag.start();
      const metrics = running.connector.metricsRegistry;
      collectDefaultMetrics({ register: metrics });
      new Gauge({
        name: "eventstreams_config_streams",
        help: "Event streams in this process's configuration table",
        registers: [metrics],
        collect() {
          this.set(running.streams.size);
        },
      });
      new Gauge({
        name: "eventstreams_read_ahead_records",
        help: "Records read from the domain topics and not yet delivered or handed to the retry path",
        registers: [metrics],
        collect() {
          this.set(running.connector.readAhead);
        },
      });
      new Gauge({
        name: "eventstreams_open_circuits",
        help: "Streams whose circuit breaker is open (deliveries go straight to the retry path)",
        registers: [metrics],
        collect() {
          this.set(running.connector.breakers.openCount);
        },
      });
      const ops = await startOpsServer({
        port: config.opsPort,
        metrics,
        readiness: () => {
          const waitingFor = running.connector.joinedGroup ? [] : ["consumer group assignment"];
          return { ready: waitingFor.length === 0, waitingFor };
        },
      });
      logger.info({ ops: ops.url }, "metrics at /metrics, probes at /healthz and /readyz");

      let stopping = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) {
          logger.warn({ signal }, "second signal: exiting at once");
          process.exit(130);
        }
        stopping = true;
        logger.info({ signal }, "stopping: finishing in-flight deliveries, committing, leaving the group");
        lag.stop();
        ops.server.close();
        Promise.all([running.stop(), admin.disconnect()]).then(
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
