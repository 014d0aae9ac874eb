import {
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  Partitioners,
  type Producer,
} from "kafkajs";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import type { DomainEvent } from "../src/events/domain-event";
import type { EventStream } from "../src/streams/event-stream";
import type { StreamHealth } from "./circuit-breaker";
import { type BreakerSettings, CircuitBreakers } from "./circuit-breaker";
import { CompletedPrefix } from "./completed-prefix";
import { FailedDeliveryWriter, type SourceRecord } from "./failed-deliveries";
import { GuardedDelivery } from "./guarded-delivery";
import { type ConnectorMetrics, createConnectorMetrics } from "./metrics";
import type { RetryPolicy } from "./retry/retry-policy";
import { TierConsumer } from "./retry/tier-consumer";
import { routeEvent, type StreamLookup } from "./routing";
import type { SinkRegistry } from "./sinks";
import { errorMessage, StreamDispatcher } from "./stream-dispatcher";

/** Turns a record value (Confluent wire format) back into an event; throws for what cannot be read. */
export type DecodeEvent = (value: Buffer) => Promise<DomainEvent>;

export interface ConnectorOptions {
  kafka: Kafka;
  groupId: string;
  /** The domain topics to read. */
  topics: readonly string[];
  streams: StreamLookup;
  decode: DecodeEvent;
  sinks: SinkRegistry;
  retryPolicy: RetryPolicy;
  breaker: BreakerSettings;
  /** Run a consumer per retry tier in this process too (default true). */
  retryConsumers?: boolean;
  /** Pauses a stream whose destination is gone for good, with the reason (through the StreamStore). */
  pauseStream?: (stream: EventStream, reason: string) => void;
  /** Told each time a stream's health changes (the health topic publisher). */
  onHealth?: (streamId: string, health: StreamHealth) => void;
  logger: Logger;
  lingerMs?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  metricsRegistry?: Registry;
}

/**
 * The sink connector: a consumer group over the domain topics that delivers every event to each
 * active stream of its project. At least once: a partition's offset is committed only after every
 * delivery of every record up to it has succeeded or been handed durably to the retry path.
 */
const COMMIT_INTERVAL_MS = 250;

export class SinkConnector {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly dispatcher: StreamDispatcher;
  private readonly writer: FailedDeliveryWriter;
  private readonly tiers: TierConsumer[];
  readonly breakers: CircuitBreakers;
  readonly metrics: ConnectorMetrics;
  readonly metricsRegistry: Registry;
  private assigned = 0;
  private inGroup = false;
  private consumed = 0;
  private progress?: NodeJS.Timeout;

  constructor(private readonly options: ConnectorOptions) {
    const { kafka, groupId, logger } = options;
    this.consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 128 * 1024,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 5)),
    });
    this.producer = kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.writer = new FailedDeliveryWriter(this.producer, options.retryPolicy);
    this.metricsRegistry = options.metricsRegistry ?? new Registry();
    this.metrics = createConnectorMetrics(this.metricsRegistry);
    this.breakers = new CircuitBreakers(options.breaker);
    // The pauser logs and de-duplicates (one 410 batch must not write one revision per event).
    const pauseStream = (stream: EventStream, reason: string) => options.pauseStream?.(stream, reason);
    this.breakers.on("change", (streamId: string, health: StreamHealth) => {
      logger.info({ streamId, health: health.status }, "stream health changed");
      options.onHealth?.(streamId, health);
    });
    this.breakers.on("auto-pause", (streamId: string, reason: string) => {
      const stream = options.streams.get(streamId);
      if (stream) pauseStream(stream, `auto-paused: ${reason}`);
    });
    const guard = new GuardedDelivery({
      sinks: options.sinks,
      sinkContext: { logger, env: process.env },
      breakers: this.breakers,
      metrics: this.metrics,
      logger,
      pauseStream,
    });
    this.tiers =
      options.retryConsumers === false
        ? []
        : options.retryPolicy.tiers.map(
            (tier) =>
              new TierConsumer({
                kafka,
                groupId,
                tier,
                streams: options.streams,
                decode: options.decode,
                guard,
                writer: this.writer,
                sinks: options.sinks,
                metrics: this.metrics,
                logger,
                sessionTimeoutMs: options.sessionTimeoutMs,
              }),
          );
    this.dispatcher = new StreamDispatcher({
      sinks: options.sinks,
      guard,
      writer: this.writer,
      metrics: this.metrics,
      logger,
      lingerMs: options.lingerMs ?? 20,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = Object.values(payload.memberAssignment).reduce(
        (n, partitions) => n + partitions.length,
        0,
      );
      this.inGroup = true;
      logger.info({ groupId, assignment: payload.memberAssignment }, "joined the consumer group");
    });
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      this.inGroup = false;
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.inGroup = false;
      logger.error(
        { groupId, error: errorMessage(payload.error), restart: payload.restart },
        "consumer crashed",
      );
    });
  }

  /** Partitions this instance owns. */
  get assignedPartitions(): number {
    return this.assigned;
  }

  /** Joined the group and holds its assignment (none is a valid assignment when instances outnumber partitions). */
  get joinedGroup(): boolean {
    return this.inGroup;
  }

  async start(): Promise<void> {
    await Promise.all([this.producer.connect(), this.consumer.connect()]);
    await Promise.all(this.tiers.map((t) => t.start()));
    await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 6,
      eachBatch: (payload) => this.processBatch(payload),
    });
    this.options.logger.info(
      { topics: this.options.topics, groupId: this.options.groupId },
      "connector running",
    );
    this.progress = setInterval(() => this.logProgress(), 10_000);
    this.progress.unref();
  }

  private logProgress(): void {
    const { delivered, handedOff } = this.dispatcher.totals;
    this.options.logger.info(
      {
        consumed: this.consumed,
        delivered,
        handedOff,
        pending: this.dispatcher.pending,
        partitions: this.assigned,
      },
      "progress",
    );
  }

  /** Stops fetching, lets in-flight deliveries finish and commits, then leaves the group. */
  async stop(): Promise<void> {
    clearInterval(this.progress);
    this.dispatcher.flushAll();
    await Promise.all([this.consumer.disconnect(), ...this.tiers.map((t) => t.stop())]);
    await this.producer.disconnect();
    await this.options.sinks.close();
  }

  private async processBatch({ batch, heartbeat, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    if (messages.length === 0) return;
    this.metrics.eventsConsumed.inc({ topic }, messages.length);
    this.consumed += messages.length;
    // Deliveries of different records proceed together; ordering per stream is kept by the dispatcher.
    const finished = new CompletedPrefix(messages.length);
    const work = messages.map((message, i) =>
      this.processRecord(topic, partition, message).then(() => finished.complete(i)),
    );
    // Commit the finished prefix four times a second, so a crash mid-batch redoes a fraction of a
    // second of work (duplicates downstream), not the whole batch.
    let committedIndex = -1;
    let commits = Promise.resolve();
    const commitFinished = () => {
      commits = commits.then(async () => {
        const upTo = finished.lastIndex;
        if (upTo <= committedIndex) return;
        committedIndex = upTo;
        const offset = (messages[upTo] as KafkaMessage).offset;
        resolveOffset(offset);
        await this.commit(topic, partition, (BigInt(offset) + 1n).toString());
      });
      return commits;
    };
    const tick = setInterval(() => {
      heartbeat().catch(() => undefined);
      void commitFinished();
    }, COMMIT_INTERVAL_MS);
    try {
      await Promise.all(work);
    } finally {
      clearInterval(tick);
      await commitFinished();
    }
  }

  private async commit(topic: string, partition: number, offset: string): Promise<void> {
    try {
      await this.consumer.commitOffsets([{ topic, partition, offset }]);
    } catch (error) {
      // Lost the partition in a rebalance: its new owner re-reads from the last commit (duplicates, not loss).
      this.options.logger.warn(
        { topic, partition, offset, error: errorMessage(error) },
        "offset commit failed",
      );
    }
  }

  private async processRecord(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const source: SourceRecord = {
      topic,
      partition,
      offset: message.offset,
      value: message.value ?? Buffer.alloc(0),
    };
    let event: DomainEvent;
    try {
      if (!message.value || message.value.length === 0)
        throw new DecodeError("EmptyRecord", "the record has no value");
      event = await this.options.decode(message.value);
    } catch (error) {
      // Anything else (a registry outage) fails the batch: it is read again, never parked.
      if (!(error instanceof DecodeError)) throw error;
      const code = error.code;
      this.options.logger.warn(
        { topic, partition, offset: message.offset, code, error: errorMessage(error) },
        "undecodable record sent to the dead-letter topic",
      );
      await this.writer.deadLetterUndecodable(source, errorMessage(error), code);
      this.metrics.deadLettered.inc({ reason: "undecodable" });
      return;
    }
    const streams = routeEvent(event, this.options.streams);
    await Promise.all(streams.map((stream) => this.dispatcher.submit(stream, { event, source })));
  }
}

export class DecodeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "DecodeError";
  }
}
