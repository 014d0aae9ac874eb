import type { Logger } from "pino";
import { DOMAINS } from "../src/events/domain-event";
import { createEventDecoder, EventDecodeError } from "../src/events/event-decoder";
import { createKafka } from "../src/kafka/kafka-client";
import { StreamRegistry } from "../src/streams/stream-registry";
import { domainTopic } from "../src/topics/domain-topics";
import { ensureFailureTopics, systemTopics } from "../src/topics/system-topics";
import { DecodeError, SinkConnector } from "./connector";
import type { ConnectorConfig } from "./connector-config";
import { createSinkRegistry } from "./sinks";

export interface RunningConnector {
  connector: SinkConnector;
  streams: StreamRegistry;
  stop(): Promise<void>;
}

/** Wires a connector process: stream configuration first (caught up), then the consumer group. */
export async function startConnector(config: ConnectorConfig, logger: Logger): Promise<RunningConnector> {
  const kafka = createKafka({ clientId: "eventstreams-connector", brokers: config.brokers }, logger);
  const topics = systemTopics(config.topicPrefix);
  const domainTopics = DOMAINS.map((d) => domainTopic(d, config.topicPrefix));
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = domainTopics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new Error(
        `the domain topics ${missing.join(", ")} do not exist: create them with \`eventstreams topics create\``,
      );
    }
    await ensureFailureTopics(admin, topics);
  } finally {
    await admin.disconnect();
  }

  const streams = new StreamRegistry({ kafka, topic: topics.config, logger });
  await streams.start();

  const decoder = createEventDecoder({ registryUrl: config.registryUrl });
  const connector = new SinkConnector({
    kafka,
    groupId: config.groupId,
    topics: domainTopics,
    streams,
    sinks: createSinkRegistry(),
    failureTopics: { retry: topics.retry, deadLetter: topics.deadLetter },
    logger,
    lingerMs: config.lingerMs,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    sessionTimeoutMs: config.sessionTimeoutMs,
    decode: async (value) => {
      try {
        return await decoder.decode(value);
      } catch (error) {
        // A registry outage is transient: fail the batch (it is read again), never dead-letter it.
        if (error instanceof EventDecodeError && error.code !== "registry-unavailable") {
          throw new DecodeError(error.code, error.message);
        }
        throw error;
      }
    },
  });
  await connector.start();
  return {
    connector,
    streams,
    stop: async () => {
      await connector.stop();
      await streams.stop();
    },
  };
}
