import { CompressionTypes, Kafka, logLevel, type Producer, type TopicMessages } from "kafkajs";
import type { Logger } from "pino";
import { PublishError } from "../src/codec/errors";
import { EventEncoder } from "../src/codec/event-encoder";
import { DOMAINS, type Domain, type DomainEvent } from "../src/events/domain-event";
import { useFastGzip } from "../src/kafka/gzip-codec";
import { KeyCachingPartitioner } from "../src/kafka/key-caching-partitioner";
import { createLogger } from "../src/logging";
import { createRegistry } from "../src/schemas/avro-types";
import { RegistryAdmin } from "../src/schemas/registry-admin";
import { topicPrefixSetting } from "../src/settings/endpoints";
import { logSettings } from "../src/settings/logging-settings";
import { domainTopic } from "../src/topics/domain-topics";
import { errorMessage } from "../src/util/error-message";
import { PublisherClosedError } from "./errors";
import type { EventInput } from "./event-input";
import { DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_EVENTS, SendQueue } from "./send-queue";
import { type TypedHelpers, typedHelpers } from "./typed-helpers";
import { toDomainEvent } from "./validate";

export interface EventPublisherOptions {
  brokers: string | string[];
  /** Confluent-compatible API root, e.g. http://127.0.0.1:8081/apis/ccompat/v7. */
  registryUrl: string;
  /** Topic prefix (`staging` gives `staging.identities.events`); default EVENTSTREAMS_TOPIC_PREFIX. */
  topicPrefix?: string;
  clientId?: string;
  /** Stamped as `source` on events that do not set one, e.g. `identities-api`. */
  source?: string;
  /** Default gzip, at level 1 (see gzip-codec.ts), for requests of at least `compressFromBytes`. */
  compression?: "gzip" | "none";
  /**
   * Default 64 KiB. Smaller requests go uncompressed: they carry a few records per partition, and
   * gzip's set-up for each partition's batch costs more CPU (here, on the producer, the broker and
   * every consumer) than the few bytes it saves.
   */
  compressFromBytes?: number;
  /** Default 10,000 records per produce request. */
  maxBatchEvents?: number;
  /** Default 900 KiB per topic in one produce request, under the broker's 1 MiB record batch limit. */
  maxBatchBytes?: number;
  /** Default 5 ms. */
  lingerMs?: number;
  /** Default 128 KiB: an event must still fit an SNS message (256 KiB) once delivered as JSON. */
  maxEventBytes?: number;
  /** Register the bundled schemas if the registry lacks them (for development); default false. */
  autoRegister?: boolean;
  /** Default 3 s per connection attempt. */
  connectionTimeoutMs?: number;
  /** Default 5: then the error surfaces instead of retrying forever. */
  retries?: number;
  logger?: Logger;
}

export interface EventPublisher extends TypedHelpers {
  /** Resolves with the complete event (id and timestamp filled) once the broker acknowledged it. */
  publish(event: EventInput): Promise<DomainEvent>;
  /** All or nothing at validation: one bad event rejects the batch before any record is sent. */
  publishMany(events: readonly EventInput[]): Promise<DomainEvent[]>;
  /** Sends what is pending, waits for its acknowledgements, then disconnects. */
  close(): Promise<void>;
  /** Records waiting for the next produce request. */
  readonly pending: number;
}

export function createEventPublisher(options: EventPublisherOptions): EventPublisher {
  const brokers = typeof options.brokers === "string" ? options.brokers.split(",") : options.brokers;
  const brokerList = brokers.join(",");
  // The SDK runs in a product service's process: its defaults come from that process's settings.
  // biome-ignore lint/style/noProcessEnv: the SDK's entry point, parsed by the settings module
  const prefix = options.topicPrefix ?? topicPrefixSetting(process.env);
  const source = options.source ?? null;
  const logger =
    options.logger ??
    // biome-ignore lint/style/noProcessEnv: the SDK's entry point, parsed by the settings module
    createLogger("event-publisher", { level: logSettings(process.env).level ?? "warn" });
  const retry = { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2_000 };
  const kafka = new Kafka({
    clientId: options.clientId ?? "eventstreams-publisher",
    brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    retry,
    // kafkajs warns that limited retries weaken idempotence; an error beats a silent hang here.
    // Its connection noise goes to debug: what matters surfaces as a PublishError naming the broker.
    logLevel: logLevel.ERROR,
    logCreator: () => (entry) => logger.debug({ kafkajs: entry.log }, entry.log.message),
  });
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry,
    createPartitioner: KeyCachingPartitioner,
  });
  const encoder = new EventEncoder({
    registry: createRegistry(options.registryUrl),
    admin: new RegistryAdmin(options.registryUrl),
    topicPrefix: prefix,
    maxEventBytes: options.maxEventBytes ?? 128 * 1024,
    autoRegister: options.autoRegister ?? false,
  });
  const compression = options.compression === "none" ? CompressionTypes.None : CompressionTypes.GZIP;
  if (compression === CompressionTypes.GZIP) useFastGzip();
  const compressFromBytes = options.compressFromBytes ?? 64 * 1024;

  let connecting: Promise<void> | undefined;
  const connect = (): Promise<void> => {
    connecting ??= producer.connect().catch((error: unknown) => {
      connecting = undefined;
      throw new PublishError(`cannot connect to Kafka broker(s) ${brokerList}: ${messageOf(error)}`, {
        cause: error,
      });
    });
    return connecting;
  };

  const send = async (topicMessages: TopicMessages[], bytes: number): Promise<void> => {
    await connect();
    try {
      await producer.sendBatch({
        topicMessages,
        acks: -1,
        compression: bytes >= compressFromBytes ? compression : CompressionTypes.None,
      });
    } catch (error) {
      const topics = topicMessages.map((t) => t.topic).join(", ");
      throw new PublishError(
        `Kafka broker(s) ${brokerList} did not acknowledge records for ${topics}: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
  };
  const queue = new SendQueue(send, {
    maxBatchEvents: options.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS,
    maxBatchBytes: options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
    lingerMs: options.lingerMs ?? 5,
  });

  let closed = false;
  // Calls that wait for a schema lookup queue up here so records keep the order of the calls.
  let order: Promise<void> = Promise.resolve();
  let waiting = 0;

  const topics = Object.fromEntries(DOMAINS.map((d) => [d, domainTopic(d, prefix)])) as Record<
    Domain,
    string
  >;

  const message = (event: DomainEvent, value: Buffer) => ({
    key: event.projectId,
    value,
    timestamp: String(event.timestamp.getTime()),
  });

  const stage = (events: DomainEvent[]): Promise<DomainEvent[]> => {
    if (closed) throw new PublisherClosedError();
    // Every event is encoded (and so checked against the schema) before any of them is queued.
    const values = events.map((event, index) => encoder.encode(event, index));
    return queue.enqueue(
      events.map((event, index) => ({
        topic: topics[event.domain],
        message: message(event, values[index] as Buffer),
      })),
      events,
    );
  };

  const publishMany = async (inputs: readonly EventInput[]): Promise<DomainEvent[]> => {
    if (closed) throw new PublisherClosedError();
    const events = inputs.map((input, index) => toDomainEvent(input, index, source));
    const domains = new Set<Domain>(events.map((e) => e.domain));
    if (waiting === 0 && [...domains].every((d) => encoder.isPrepared(d))) return stage(events);
    waiting++;
    const turn = order.then(() => encoder.prepare(domains));
    order = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      waiting--;
    }
    return stage(events);
  };

  // Not `async`: the queue's promise is the caller's, one promise per event instead of two.
  const publish = (input: EventInput): Promise<DomainEvent> => {
    try {
      if (closed) throw new PublisherClosedError();
      const event = toDomainEvent(input, 0, source);
      if (waiting > 0 || !encoder.isPrepared(event.domain))
        return publishMany([input]).then((events) => events[0] as DomainEvent);
      return queue.enqueueOne(topics[event.domain], message(event, encoder.encode(event, 0)), event);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const publisher = {
    publish,
    publishMany,
    async close() {
      if (closed) return;
      // Calls still waiting for a schema lookup get to enqueue before the queue drains.
      await order;
      closed = true;
      await queue.drain();
      if (connecting) await producer.disconnect();
    },
    get pending() {
      return queue.size;
    },
  };
  return Object.assign(publisher, typedHelpers(publisher.publish));
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const own = errorMessage(error);
  return cause instanceof Error && !own.includes(cause.message) ? `${own} (${cause.message})` : own;
}
