import { Kafka, logLevel } from "kafkajs";
import type { Logger } from "pino";
import { DOMAINS } from "../src/events/domain-event";
import { createEventDecoder, EventDecodeError } from "../src/events/event-decoder";
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
  const kafka = new Kafka({
    clientId: `eventstreams-connector`,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
  });
  const topics = systemTopics(config.topicPrefix);
  const admin = kafka.admin();
  await admin.connect();
  await ensureFailureTopics(admin, topics);
  await admin.disconnect();

  const streams = new StreamRegistry({ kafka, topic: topics.config, logger });
  await streams.start();

  const decoder = createEventDecoder({ registryUrl: config.registryUrl });
  const connector = new SinkConnector({
    kafka,
    groupId: config.groupId,
    topics: DOMAINS.map((d) => domainTopic(d, config.topicPrefix)),
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
