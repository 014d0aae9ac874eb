import type { FastifyInstance } from "fastify";
import type { Kafka } from "kafkajs";
import type { Logger } from "pino";
import { createSinkRegistry, type SinkRegistry } from "../../connectors/sinks";
import { createEventDecoder } from "../../src/codec/event-decoder";
import { DeliverySummaries } from "../../src/deliveries/delivery-summaries";
import { DOMAINS } from "../../src/events/domain-event";
import { connectWhenReachable } from "../../src/kafka/connect-when-reachable";
import { createKafka } from "../../src/kafka/kafka-client";
import { withAdmin } from "../../src/kafka/with-admin";
import { KmsDataKeys } from "../../src/secrets/kms-data-keys";
import { StreamSecrets } from "../../src/secrets/stream-secrets";
import type { ApiSettings } from "../../src/settings/api-settings";
import { destinationChanged, type EventStream } from "../../src/streams/event-stream";
import { HealthTable } from "../../src/streams/health-table";
import { StreamRegistry } from "../../src/streams/stream-registry";
import { StreamStore } from "../../src/streams/stream-store";
import { domainTopic } from "../../src/topics/domain-topics";
import { backlogPositions, oldestKeptTime, projectPositions } from "../../src/topics/project-positions";
import { ensureFailureTopics, type SystemTopics, systemTopics } from "../../src/topics/system-topics";
import { TopicRetention } from "../../src/topics/topic-retention";
import { Authenticator } from "./auth";
import { presentSummary } from "./delivery-routes";
import { EventStreamService } from "./event-stream-service";
import { buildServer } from "./server";
import { StreamWrites } from "./writes/stream-writes";

export interface RunningApi {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:41234 (the real port when settings.port is 0). */
  url: string;
  registry: StreamRegistry;
  close(): Promise<void>;
}

export interface ApiDependencies {
  logger: Logger;
  kafka?: Kafka;
  /** The sinks streams may use (`--sinks`); by default the product's built-in sinks. */
  sinks?: SinkRegistry;
}

/**
 * Starts the HTTP API: it listens at once (so /healthz answers and /readyz says "starting"), then
 * reads the config topic to its end and only then reports ready and accepts stream requests.
 */
export async function startApi(settings: ApiSettings, deps: ApiDependencies): Promise<RunningApi> {
  const { logger } = deps;
  const kafka =
    deps.kafka ?? createKafka({ clientId: "eventstreams-api", brokers: settings.brokers }, logger);
  const sinks = deps.sinks ?? createSinkRegistry();
  const domainTopics = DOMAINS.map((d) => domainTopic(d, settings.topicPrefix));
  const registry = new StreamRegistry({
    kafka,
    topic: settings.configTopic,
    logger,
    replicationFactor: settings.replicationFactor,
    minInsyncReplicas: settings.minInsyncReplicas,
  });
  const store = new StreamStore({ kafka, registry });
  const retention = new TopicRetention(kafka, domainTopics, logger);
  const service: EventStreamService = new EventStreamService({
    registry,
    store,
    sinks,
    sinkContext: { logger, env: process.env },
    maxStreamsPerProject: settings.maxStreamsPerProject,
    positions: (projectId, at) =>
      withAdmin(kafka, (admin) => projectPositions(admin, domainTopics, projectId, at)),
    backlogPositions: (projectId, at) =>
      withAdmin(kafka, (admin) =>
        backlogPositions(
          admin,
          { domain: domainTopics, parked: systemTopics(settings.topicPrefix).parked },
          projectId,
          at === "committed" ? { committed: settings.connectorGroupId } : at,
        ),
      ),
    retentionOf: (topic) => retention.of(topic),
    secrets: new StreamSecrets(new KmsDataKeys(settings.kmsKeyId)),
    writes: { submit: (body) => writes.submit(body) },
    oldestKept: (projectId) =>
      withAdmin(kafka, (admin) => oldestKeptTime(kafka, admin, domainTopics, projectId)),
  });
  const writes: StreamWrites = new StreamWrites(
    kafka,
    settings.configTopic,
    (request) => service.apply(request),
    logger,
  );
  const failures = failureDependencies(kafka, settings);
  const health = new HealthTable(kafka, failures.topics.health, logger);
  const summaries = new DeliverySummaries(
    kafka,
    failures.topics.deliveries,
    logger,
    (id) => registry.get(id) !== undefined,
  );
  // Verification made clients and credentials for a stream's destination: they go with it.
  registry.on("change", (id: string, stream?: EventStream, previous?: EventStream) => {
    if (previous && destinationChanged(previous, stream)) sinks.release(previous);
    if (!stream) summaries.forget(id);
  });
  let ready = false;
  const app = buildServer({
    service,
    authenticator: new Authenticator(settings.tokens),
    logger,
    isReady: () => ready,
    streamCount: () => registry.size,
    bodyLimitBytes: settings.bodyLimitBytes,
    failures,
    health: (id) => health.get(id),
    summary: (id) => presentSummary(summaries.summary(id)),
    minutes: (id) => summaries.minutes(id),
    sinks,
  });
  const close = async () => {
    ready = false;
    await app.close();
    retention.stop();
    await writes.stop().catch(() => undefined);
    await Promise.allSettled([store.stop(), registry.stop(), health.stop(), summaries.stop(), sinks.close()]);
  };
  try {
    await app.listen({ host: settings.host, port: settings.port });
    // Kafka away at start (both restarting): the API answers not-ready meanwhile, and waits.
    const probe = kafka.admin();
    await connectWhenReachable(probe, settings.brokers, logger);
    await probe.disconnect();
    await Promise.all([registry.start(), store.start(), startHealth(kafka, failures.topics, health)]);
    // After the registry: applying a write checks it against the streams as they are.
    await writes.start();
    // After the registry: it keeps figures only for streams the registry has.
    await Promise.all([summaries.start(), retention.start()]);
  } catch (error) {
    await close();
    throw error;
  }
  ready = true;
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  logger.info({ port, topic: settings.configTopic, streams: registry.size }, "event streams API ready");
  return { app, url: `http://${settings.host}:${port}`, registry, close };
}

/** The health topic is the connector's; created here too so the API can start first. */
async function startHealth(kafka: Kafka, topics: SystemTopics, health: HealthTable): Promise<void> {
  await withAdmin(kafka, (admin) => ensureFailureTopics(admin, topics));
  await health.start();
}

/** The connector's topics and first retry step, from the same settings the connector reads. */
function failureDependencies(kafka: Kafka, settings: ApiSettings) {
  const topics = systemTopics(settings.topicPrefix);
  const first = settings.retryLadder[0];
  if (!first) throw new Error("the retry ladder is empty");
  return {
    kafka,
    topics,
    firstTier: { ...first, topic: topics.retryTier(first.name) },
    decoder: createEventDecoder({ registryUrl: settings.schemaRegistryUrl }),
  };
}
