import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "pino";
import { EventDecodeError } from "../../src/codec/event-decoder";
import type { DomainEvent } from "../../src/events/domain-event";
import { heartbeatIntervalFor } from "../../src/kafka/kafka-client";
import type { TierTopic } from "../../src/retry";
import { dueAtOf, type RetryRecord, readRetryRecord } from "../../src/retry";
import { DEFAULT_SESSION_TIMEOUT_MS } from "../../src/settings/connector-settings";
import type { EventStream } from "../../src/streams/event-stream";
import { errorMessage } from "../../src/util/error-message";
import { nextTurn } from "../../src/util/wait-for";
import type { DeliveryLog } from "../delivery/delivery-log";
import type { FailedResult, GuardedDelivery } from "../delivery/guarded-delivery";
import type { ConnectorMetrics } from "../metrics/metrics";
import type { SinkRegistry } from "../sinks";
import type { StreamLookup } from "../streams/routing";
import type { FailedDelivery, FailedDeliveryWriter } from "./failed-deliveries";

/** The longest delay setTimeout keeps (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TierConsumerOptions {
  kafka: Kafka;
  /** The connector's group id; this tier's group is `<groupId>.retry.<tier>`. */
  groupId: string;
  tier: TierTopic;
  streams: StreamLookup;
  /** Decodes a record's original bytes as written to its domain topic. */
  decode: (value: Buffer, topic: string) => Promise<DomainEvent>;
  guard: GuardedDelivery;
  writer: FailedDeliveryWriter;
  log?: DeliveryLog;
  sinks: SinkRegistry;
  metrics: ConnectorMetrics;
  logger: Logger;
  sessionTimeoutMs?: number;
}

/**
 * Due records handled between two commits: bounds what a crash makes us redo, and how long one
 * stretch of reading headers and decoding events holds the event loop the main path shares.
 */
const CHUNK = 100;

/**
 * Bytes fetched per partition. A fetch response is decoded in one synchronous stretch (~25 µs per
 * retry record), so smaller would stall the shared event loop less; but a tier that comes due with a
 * backlog (an outage of thousands of events) works through it one fetch at a time, and at 64 KiB
 * (~55 records) its attempts fell 10 s behind the ladder in the 5,000-event outage test.
 */
const MAX_BYTES_PER_PARTITION = 256 * 1024;

/**
 * Consumes one step of the retry ladder. A partition's records are handled in order once due;
 * when the head is not due yet, the partition is paused (other partitions go on) and resumed by a
 * timer at the head's due time, so nothing polls and nothing is delivered early. An offset is
 * committed only after its record was delivered, dropped (stream deleted), or durably written to
 * the next step, the dead-letter topic, or back to this step (paused stream).
 */
export class TierConsumer {
  private readonly consumer: Consumer;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  /** Consecutive chunks per partition that failed for an outage (see readAgainLater). */
  private readonly failedChunks = new Map<number, number>();
  private readonly logger: Logger;
  private readonly heartbeatIntervalMs: number;
  private stopped = false;

  constructor(private readonly options: TierConsumerOptions) {
    const sessionTimeout = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.heartbeatIntervalMs = heartbeatIntervalFor(sessionTimeout);
    this.logger = options.logger.child({ tier: options.tier.name });
    this.consumer = options.kafka.consumer({
      groupId: `${options.groupId}.retry.${options.tier.name}`,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
      // A resumed partition is fetched with the next request: the long poll bounds how late a due
      // record can be, so it scales with the step (100 ms to 1 s).
      maxWaitTimeInMs: Math.min(1_000, Math.max(100, Math.floor(options.tier.delayMs / 5))),
      sessionTimeout,
      heartbeatInterval: this.heartbeatIntervalMs,
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      this.logger.error({ err: payload.error, restart: payload.restart }, "retry consumer crashed"),
    );
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.options.tier.topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 6,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.consumer.disconnect();
  }

  private async processBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    let next = 0;
    while (next < messages.length && !this.stopped) {
      const head = messages[next] as KafkaMessage;
      const wait = this.dueAt(head) - Date.now();
      if (wait > 0) {
        this.waitForHead(topic, partition, head.offset, wait);
        return;
      }
      const chunk: KafkaMessage[] = [];
      while (next < messages.length && chunk.length < CHUNK) {
        const m = messages[next] as KafkaMessage;
        if (this.dueAt(m) > Date.now()) break;
        chunk.push(m);
        next++;
      }
      let failed: unknown;
      await this.keepingMembership(heartbeat, () =>
        this.handle(chunk.map((m) => readRetryRecord(m, this.options.tier.index))).catch((error: unknown) => {
          failed = error ?? new Error("the chunk failed");
        }),
      );
      if (failed !== undefined) {
        this.readAgainLater(topic, partition, (chunk[0] as KafkaMessage).offset, failed);
        return;
      }
      this.failedChunks.delete(partition);
      const last = (chunk[chunk.length - 1] as KafkaMessage).offset;
      resolveOffset(last);
      await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
      await heartbeat();
      // Lets the main path's fetches and deliveries in between two chunks.
      await nextTurn();
    }
  }

  /**
   * Runs `work` while heartbeating. A chunk going to a slow destination (ten calls one after another
   * for a stream) can outlast the session: without heartbeats the group would drop this member, the
   * commit after the chunk would fail, and the chunk would be read and delivered again and again,
   * never reaching the records after it. A heartbeat that says the group is rebalancing is rethrown
   * after the work, so kafkajs rejoins and reads on from the last commit.
   */
  private async keepingMembership(heartbeat: () => Promise<void>, work: () => Promise<void>): Promise<void> {
    let rebalancing: unknown;
    const beat = setInterval(() => {
      heartbeat().catch((error: unknown) => {
        rebalancing ??= error;
      });
    }, this.heartbeatIntervalMs);
    try {
      await work();
    } finally {
      clearInterval(beat);
    }
    if (rebalancing) throw rebalancing;
  }

  /**
   * When a record is due: its due time, but never later than the tier's delay after it was written.
   * A record that says it is due later (written before that rule, or by another writer) must not
   * hold up the records behind it in this partition, other tenants' included, for longer.
   */
  private dueAt(message: KafkaMessage): number {
    const writtenAt = Number(message.timestamp);
    const latest = Number.isFinite(writtenAt)
      ? writtenAt + this.options.tier.delayMs
      : Number.POSITIVE_INFINITY;
    return Math.min(dueAtOf(message), latest);
  }

  /**
   * A chunk could be neither delivered nor handed on: the registry or Kafka could not be reached.
   * Nothing of it was committed, so read it again from its first record after a back-off (0.5 s
   * doubling to 30 s), this partition only: records of it already delivered are delivered again,
   * none is dead-lettered for an outage of ours.
   */
  private readAgainLater(topic: string, partition: number, offset: string, error: unknown): void {
    const failures = (this.failedChunks.get(partition) ?? 0) + 1;
    this.failedChunks.set(partition, failures);
    const backoffMs = Math.min(30_000, 500 * 2 ** (failures - 1));
    this.logger.warn(
      { partition, offset, backoffMs, error: errorMessage(error) },
      "retry records could not be handled; reading them again after a back-off",
    );
    this.waitForHead(topic, partition, offset, backoffMs);
  }

  /** Rewinds to the head, pauses this partition only, and resumes it when the head is due. */
  private waitForHead(topic: string, partition: number, offset: string, waitMs: number): void {
    this.consumer.seek({ topic, partition, offset });
    this.consumer.pause([{ topic, partitions: [partition] }]);
    clearTimeout(this.timers.get(partition));
    // A longer timer would fire at once (Node clamps it to 1 ms): waking early only checks again.
    const timer = setTimeout(
      () => {
        this.timers.delete(partition);
        if (!this.stopped) this.consumer.resume([{ topic, partitions: [partition] }]);
      },
      Math.min(waitMs, MAX_TIMER_MS),
    );
    this.timers.set(partition, timer);
  }

  /** One stream's records go through its sink together; different streams in parallel. */
  private async handle(records: RetryRecord[]): Promise<void> {
    const byStream = new Map<string, RetryRecord[]>();
    for (const r of records) byStream.set(r.streamId, [...(byStream.get(r.streamId) ?? []), r]);
    // Every stream's work ends before the chunk counts as failed: none is left running unawaited.
    const settled = await Promise.allSettled([...byStream].map(([id, list]) => this.handleStream(id, list)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
  }

  private async handleStream(streamId: string, records: RetryRecord[]): Promise<void> {
    const { streams, writer, tier, metrics } = this.options;
    const stream = streams.get(streamId);
    if (!stream) {
      this.logger.warn(
        { streamId, projectId: records[0]?.projectId, dropped: records.length },
        "stream deleted: dropping its pending retries",
      );
      metrics.retryOutcomes.inc({ tier: tier.name, outcome: "dropped-stream-deleted" }, records.length);
      return;
    }
    if (stream.status === "paused" && !stream.backlog?.from[writer.policy.parked]) {
      // Paused without a backlog to resume from (written by an older API, or by hand): back on
      // this step, looked at again one step's delay later.
      await writer.putBack(
        tier.topic,
        records.map((r) => ({ key: r.message.key, value: r.message.value, headers: r.message.headers })),
        Date.now() + tier.delayMs,
      );
      metrics.retryOutcomes.inc({ tier: tier.name, outcome: "put-back-stream-paused" }, records.length);
      return;
    }
    if (stream.status === "paused") {
      // Kept with the backlog, once: the stream's catch-up delivers them first on resume.
      await writer.parkUntilResume(
        records.map((r) => ({
          key: r.message.key,
          value: r.message.value,
          headers: r.message.headers,
          projectId: stream.projectId,
        })),
        tier.index,
      );
      metrics.retryOutcomes.inc({ tier: tier.name, outcome: "parked-stream-paused" }, records.length);
      return;
    }
    // An open circuit calls the destination with one probe at most: the rest go on in one write.
    const { maxEvents } = this.options.sinks.definition(stream.type).limits;
    const size = this.options.guard.isOpen(stream.id) ? records.length : maxEvents;
    for (let i = 0; i < records.length; i += size) await this.deliver(stream, records.slice(i, i + size));
  }

  private async deliver(stream: EventStream, records: RetryRecord[]): Promise<void> {
    const { tier, metrics, writer, guard, decode } = this.options;
    const failures: FailedDelivery[] = [];
    const decoded: { record: RetryRecord; event: DomainEvent }[] = [];
    let mismatched = 0;
    for (const record of records) {
      let event: DomainEvent;
      try {
        event = await decode(record.source.value, record.source.topic);
      } catch (error) {
        // The registry unreachable is our outage, not the record's fault: the chunk is read again.
        if (error instanceof EventDecodeError && error.transient) throw error;
        const message = errorMessage(error);
        failures.push(this.failure(stream, record, { outcome: "permanent", code: "Undecodable", message }));
        continue;
      }
      // The main path routes by the event's own project; a retry or redriven record names its
      // stream in a header, and is delivered only if the three agree. Anything else is another
      // tenant's event on its way to this stream's destination.
      if (record.projectId !== stream.projectId || event.projectId !== stream.projectId) {
        mismatched++;
        this.logger.warn(
          { streamId: stream.id, offset: record.message.offset },
          "retry record's project does not match its stream's: dead-lettered, not delivered",
        );
        // Listed under no project: neither tenant may read or redrive the other's event.
        failures.push({
          ...this.failure(stream, record, {
            outcome: "permanent",
            code: "tenant-mismatch",
            message: "the record's project, its event's project and its stream's project differ",
          }),
          projectId: "",
        });
        continue;
      }
      decoded.push({ record, event });
    }
    if (mismatched > 0) metrics.deadLettered.inc({ reason: "tenant-mismatch" }, mismatched);
    const started = performance.now();
    const results =
      decoded.length > 0
        ? await guard.deliver(
            stream,
            decoded.map((d) => d.event),
          )
        : [];
    const latencyMs = performance.now() - started;
    let delivered = 0;
    decoded.forEach(({ record, event }, i) => {
      const result = results[i];
      if (result?.outcome === "delivered") {
        delivered++;
        this.options.log?.delivered(stream, event, record.state.attempt + 1, latencyMs);
      } else if (result) failures.push({ ...this.failure(stream, record, result), event, latencyMs });
    });
    if (delivered > 0) metrics.retryOutcomes.inc({ tier: tier.name, outcome: "delivered" }, delivered);
    if (failures.length === 0) return;
    const { deadLettered } = await writer.handOff(failures);
    metrics.retryOutcomes.inc({ tier: tier.name, outcome: "next-tier" }, failures.length - deadLettered);
    if (deadLettered > 0) {
      metrics.retryOutcomes.inc({ tier: tier.name, outcome: "dead-lettered" }, deadLettered);
      metrics.deadLettered.inc({ reason: "retry" }, deadLettered);
    }
    this.logger.debug(
      { streamId: stream.id, failed: failures.length, deadLettered, code: failures[0]?.result.code },
      "retries failed",
    );
  }

  private failure(stream: EventStream, record: RetryRecord, result: FailedResult): FailedDelivery {
    return {
      source: record.source,
      streamId: stream.id,
      projectId: stream.projectId,
      sinkType: stream.type,
      result,
      previous: record.state,
    };
  }
}
