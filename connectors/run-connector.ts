import { setPriority } from "node:os";
import { type Kafka, Partitioners } from "kafkajs";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { createEventDecoder } from "../src/codec/event-decoder";
import { DOMAINS } from "../src/events/domain-event";
import { connectWhenReachable } from "../src/kafka/connect-when-reachable";
import { useInlineGunzip } from "../src/kafka/gzip-codec";
import { createKafka } from "../src/kafka/kafka-client";
import { withAdmin } from "../src/kafka/with-admin";
import { KmsDataKeys } from "../src/secrets/kms-data-keys";
import { OpenedConfigs } from "../src/secrets/opened-configs";
import { StreamSecrets } from "../src/secrets/stream-secrets";
import type { ConnectorConfig, SinkModule } from "../src/settings/connector-settings";
import type { EventStream } from "../src/streams/event-stream";
import { StreamRegistry } from "../src/streams/stream-registry";
import { StreamStore } from "../src/streams/stream-store";
import { domainTopic } from "../src/topics/domain-topics";
import { backlogPositions } from "../src/topics/project-positions";
import { ensureFailureTopics, systemTopics } from "../src/topics/system-topics";
import { SinkConnector } from "./connector";
import { DeliveryLogWriter } from "./delivery/delivery-log";
import { registerHeapMetrics } from "./metrics/heap-metrics";
import type { SinkRegistry } from "./sinks";
import { BUILT_IN_SINKS, loadSinkRegistry } from "./sinks/sink-module";
import { HealthPublisher } from "./streams/health-publisher";
import { StreamPauser } from "./streams/stream-pauser";
import { DeliveryThreads } from "./threads/delivery-threads";
import type { SinkCalls } from "./threads/sink-calls";

export interface RunningConnector {
  connector: SinkConnector;
  streams: StreamRegistry;
  stop(): Promise<void>;
}

/** Wires a connector process: stream configuration first (caught up), then the consumer group. */
export async function startConnector(
  config: ConnectorConfig,
  logger: Logger,
  /**
   * Tests' fake sinks: a registry instance delivers on the event loop. By default the sinks come
   * from `config.sinks`, a module every delivery thread loads.
   */
  deps: { sinks?: SinkModule | SinkRegistry } = {},
): Promise<RunningConnector> {
  useInlineGunzip();
  if (config.nice > 0) lowerPriority(config.nice, logger);
  const kafka = createKafka({ clientId: "eventstreams-connector", brokers: config.brokers }, logger);
  const topics = systemTopics(config.topicPrefix);
  const domainTopics = DOMAINS.map((d) => domainTopic(d, config.topicPrefix));
  const admin = kafka.admin();
  await connectWhenReachable(admin, config.brokers, logger);
  try {
    const existing = new Set(await admin.listTopics());
    const missing = domainTopics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new Error(
        `the domain topics ${missing.join(", ")} do not exist: create them with \`eventstreams topics create\``,
      );
    }
    await ensureFailureTopics(
      admin,
      topics,
      6,
      config.retryLadder.map((t) => t.name),
    );
  } finally {
    await admin.disconnect();
  }

  const streams = new StreamRegistry({ kafka, topic: topics.config, logger });
  await streams.start();
  const store = new StreamStore({ kafka, registry: streams });
  const health = new HealthPublisher(kafka, topics.health, logger);
  await Promise.all([store.start(), health.start()]);
  const pauser = new StreamPauser(streams, store, logger, (projectId) =>
    withAdmin(kafka, (admin) =>
      backlogPositions(admin, { domain: domainTopics, parked: topics.parked }, projectId, {
        committed: config.groupId,
      }),
    ),
  );
  const deliveryLog = config.deliveryLog
    ? await startDeliveryLog(kafka, topics.deliveries, logger)
    : undefined;

  const { sinks, sinkCalls } = await prepareSinks(
    deps.sinks ?? config.sinks ?? BUILT_IN_SINKS,
    config,
    logger,
  );
  const decoder = createEventDecoder({
    registryUrl: config.registryUrl,
    unknownSchemaGraceMs: config.unknownSchemaGraceMs,
  });
  const connector = new SinkConnector({
    kafka,
    sinkEnv: config.sinkEnv,
    groupId: config.groupId,
    topics: domainTopics,
    streams,
    sinks,
    sinkCalls,
    retryPolicy: {
      tiers: config.retryLadder.map((t) => ({ ...t, topic: topics.retryTier(t.name) })),
      deadLetter: topics.deadLetter,
      parked: topics.parked,
      jitter: config.retryJitter,
      misconfigurationTier: config.misconfigurationTier,
    },
    breaker: config.breaker,
    retryConsumers: config.retryConsumers,
    mainPath: config.mainPath,
    pauseStream: (stream, reason) => pauser.pause(stream, reason),
    openedConfigs: new OpenedConfigs(new StreamSecrets(new KmsDataKeys(config.kmsKeyId)), (type) =>
      sinks.secretPaths(type),
    ),
    deliveryLog: deliveryLog?.writer,
    catchUps: config.mainPath ? { streams, store, ratePerSecond: config.catchUpRate } : undefined,
    onHealth: (streamId, h) => health.publish(streamId, h),
    logger,
    lingerMs: config.lingerMs,
    streamConcurrency: config.streamConcurrency,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    sessionTimeoutMs: config.sessionTimeoutMs,
    decode: (value, topic) => decoder.decode(value, topic),
  });
  streams.on("change", (id: string, stream?: EventStream, previous?: EventStream) =>
    connector.streamChanged(id, stream, previous),
  );
  if (sinkCalls instanceof DeliveryThreads) sinkCalls.registerMetrics(connector.metricsRegistry);
  else registerHeapMetrics(connector.metricsRegistry);
  deliveryLog?.registerMetrics(connector.metricsRegistry);
  await connector.start();
  return {
    connector,
    streams,
    stop: async () => {
      await connector.stop();
      await Promise.allSettled([store.stop(), health.stop(), deliveryLog?.stop()]);
      await streams.stop();
    },
  };
}

async function prepareSinks(
  source: SinkModule | SinkRegistry,
  config: ConnectorConfig,
  logger: Logger,
): Promise<{ sinks: SinkRegistry; sinkCalls?: SinkCalls }> {
  if (!("exportName" in source)) return { sinks: source };
  // This thread's registry only answers for definitions (limits); the threads create the instances.
  const sinks = loadSinkRegistry(source);
  if (config.deliveryThreads === 0) return { sinks };
  const sinkCalls = await DeliveryThreads.start({
    threads: config.deliveryThreads,
    sinks: source,
    env: config.sinkEnv,
    logger,
  });
  return { sinks, sinkCalls };
}

/**
 * Raising one's own nice value needs no privilege. On Linux it applies to the calling thread, the
 * event loop, and to threads it starts afterwards: the delivery threads, started later, inherit it.
 * A refusal (some sandboxes) costs isolation, not correctness: it is logged and the process goes on.
 */
function lowerPriority(nice: number, logger: Logger): void {
  try {
    setPriority(nice);
    logger.info({ nice }, "running at a lower CPU priority");
  } catch (error) {
    logger.warn(
      { nice, error: (error as Error).message },
      "could not lower the CPU priority; running at the normal one",
    );
  }
}

/** The deliveries log's writer on a producer of its own: its requests never queue behind hand-offs. */
async function startDeliveryLog(kafka: Kafka, topic: string, logger: Logger) {
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let dropped = 0;
  const writer = new DeliveryLogWriter({ producer, topic, logger, onDropped: (n) => (dropped += n) });
  return {
    writer,
    registerMetrics(registry: Registry) {
      new Counter({
        name: "eventstreams_delivery_log_dropped_total",
        help: "Deliveries log entries dropped (buffer full or the write failed); deliveries are not affected",
        registers: [registry],
        collect() {
          this.reset();
          this.inc(dropped);
        },
      });
    },
    async stop() {
      await writer.stop();
      await producer.disconnect();
    },
  };
}
