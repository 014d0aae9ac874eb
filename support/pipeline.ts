import type { Kafka } from "kafkajs";
import pino from "pino";
import { createEventPublisher, type EventPublisher } from "../producers";
import type { StackEndpoints } from "../src/settings/stack-settings";
import { type EventStream, newEventStream } from "../src/streams/event-stream";
import { StreamRegistry } from "../src/streams/stream-registry";
import { StreamStore } from "../src/streams/stream-store";
import { DEFAULT_TOPIC_SETTINGS, ensureDomainTopics } from "../src/topics/create-topics";
import { ensureFailureTopics, type SystemTopics, systemTopics } from "../src/topics/system-topics";
import { testKafka } from "./clients";
import { stackFromEnv } from "./stack-env";
import { uniqueName } from "./unique";

/**
 * A whole environment of its own for one test: domain, config, retry and dead-letter topics under
 * a unique prefix, a stream store to configure destinations, and a publisher. Tests share one
 * stack but never each other's topics.
 */
export interface Pipeline {
  prefix: string;
  kafka: Kafka;
  topics: SystemTopics;
  publisher: EventPublisher;
  streams: StreamRegistry;
  /** Stores a new stream, or overwrites one when `id` (and the rest) are given. */
  addStream(stream: Partial<EventStream> & Pick<EventStream, "projectId" | "config">): Promise<EventStream>;
  removeStream(id: string): Promise<void>;
  /** Environment for a connector process (or CLI) working on this pipeline. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface PipelineOptions {
  /** Another stack than the shared one (a suite that restarts its own stack). */
  endpoints?: StackEndpoints;
  /** Build on topics an earlier step of the test made and filled. */
  prefix?: string;
}

export async function createPipeline(partitions = 3, options: PipelineOptions = {}): Promise<Pipeline> {
  const prefix = options.prefix ?? uniqueName("t");
  const { kafkaBrokers, schemaRegistryUrl } = options.endpoints ?? stackFromEnv();
  const kafka = testKafka("eventstreams-test", kafkaBrokers);
  const topics = systemTopics(prefix);
  const admin = kafka.admin();
  await admin.connect();
  await ensureDomainTopics(admin, { ...DEFAULT_TOPIC_SETTINGS, prefix, partitions });
  await ensureFailureTopics(admin, topics, partitions);
  await admin.disconnect();

  const streams = new StreamRegistry({ kafka, topic: topics.config, logger: pino({ level: "warn" }) });
  await streams.start();
  const store = new StreamStore({ kafka, registry: streams });
  await store.start();
  const publisher = createEventPublisher({
    brokers: kafkaBrokers,
    registryUrl: schemaRegistryUrl,
    topicPrefix: prefix,
    autoRegister: true,
    source: "pipeline-test",
  });

  return {
    prefix,
    kafka,
    topics,
    publisher,
    streams,
    addStream: (partial) => store.put({ ...newEventStream({ type: "sns", ...partial }), ...partial }),
    removeStream: (id) => store.delete(id),
    env: {
      EVENTSTREAMS_TOPIC_PREFIX: prefix,
      EVENTSTREAMS_GROUP_ID: `${prefix}-connector`,
      EVENTSTREAMS_SESSION_TIMEOUT_MS: "6000",
      EVENTSTREAMS_OPS_PORT: "0",
      KAFKA_BROKERS: kafkaBrokers,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    },
    close: async () => {
      await publisher.close();
      await store.stop();
      await streams.stop();
      await deleteTopicsWithPrefix(kafka, prefix);
    },
  };
}

/**
 * The pipeline's topics end with it: the shared broker would otherwise carry thousands of dead
 * partitions from earlier runs, and their upkeep slows every later test and benchmark on it.
 */
async function deleteTopicsWithPrefix(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } catch {
    // Best effort: a left-over topic costs the broker a little, never a test result.
  } finally {
    await admin.disconnect();
  }
}
