import { randomUUID } from "node:crypto";
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "pino";
import type { DomainEvent } from "../../src/events/domain-event";
import type { SourceRecord } from "../../src/retry";
import { eventFilterOf } from "../../src/streams/event-filter";
import type { EventStream } from "../../src/streams/event-stream";
import type { StreamStore } from "../../src/streams/stream-store";
import { delay } from "../../src/util/wait-for";
import type { DeliveryLog } from "../delivery/delivery-log";
import type { GuardedDelivery } from "../delivery/guarded-delivery";
import type { FailedDelivery, FailedDeliveryWriter } from "../retry/failed-deliveries";

export interface CatchUpTaskOptions {
  kafka: Kafka;
  groupId: string;
  store: StreamStore;
  decode(value: Buffer, topic: string): Promise<DomainEvent>;
  guard: GuardedDelivery;
  writer: FailedDeliveryWriter;
  log?: DeliveryLog;
  logger: Logger;
  /** Events a second this catch-up delivers at most. */
  ratePerSecond: number;
  /** Events per sink call. */
  maxEvents: number;
  /** Whether the stream is still at this revision and active (else the task stops). */
  isCurrent(): boolean;
}

/**
 * Delivers one resumed stream's events of one domain topic partition, from `start` to `end` (its
 * backlog), at a bounded rate, on a consumer of its own. After each fetched batch it records how
 * far it got (CatchUpProgress), once every delivery of the batch succeeded or was handed to the
 * retry path: a connector that takes over goes on from there. The project's records only, and of
 * those the stream's filter only, go to the destination; the rest is read past.
 */
export class CatchUpTask {
  private consumer?: Consumer;
  private stopped = false;
  private next: bigint;
  private delivered: number;
  readonly finished: Promise<void>;
  private finish: () => void = () => undefined;

  constructor(
    private readonly options: CatchUpTaskOptions,
    readonly stream: EventStream,
    readonly topic: string,
    readonly partition: number,
    start: string,
    private readonly end: bigint,
    deliveredBefore: number,
  ) {
    this.next = BigInt(start);
    this.delivered = deliveredBefore;
    this.finished = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  async start(): Promise<void> {
    if (this.next >= this.end) {
      // Nothing was left: say so, so no runner looks at it again.
      await this.record();
      this.stopped = true;
      this.finish();
      return;
    }
    const { kafka, groupId } = this.options;
    const consumer = kafka.consumer({
      groupId: `${groupId}.catch-up.${randomUUID()}`,
      maxBytesPerPartition: 256 * 1024,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment[this.topic] ?? [];
      const others = assigned.filter((p) => p !== this.partition);
      if (others.length > 0) consumer.pause([{ topic: this.topic, partitions: others }]);
      consumer.seek({ topic: this.topic, partition: this.partition, offset: this.next.toString() });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        if (batch.partition !== this.partition || this.stopped) return;
        const records = batch.messages.filter((m) => {
          const offset = BigInt(m.offset);
          return offset >= this.next && offset < this.end;
        });
        await this.deliverAll(records);
        if (this.stopped) return;
        const last = BigInt(batch.lastOffset()) + 1n;
        this.next = last < this.end ? last : this.end;
        await this.record();
        await heartbeat();
        if (this.next >= this.end) await this.close("caught up");
      },
    });
  }

  /** Stops reading; what it delivered and recorded stays recorded. */
  async stop(): Promise<void> {
    await this.close("stopped");
  }

  private async close(reason: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const { logger } = this.options;
    logger.info(
      { streamId: this.stream.id, topic: this.topic, next: this.next.toString(), delivered: this.delivered },
      this.next >= this.end ? "catch-up caught up" : `catch-up ${reason}`,
    );
    // Not awaited from inside its own eachBatch: disconnecting waits for that batch to end.
    void this.consumer?.disconnect().finally(() => this.finish());
  }

  private async deliverAll(records: KafkaMessage[]): Promise<void> {
    const { decode, maxEvents } = this.options;
    const filter = eventFilterOf(this.stream.eventTypes);
    let chunk: { event: DomainEvent; source: SourceRecord }[] = [];
    for (const message of records) {
      if (this.stopped || !this.options.isCurrent()) return this.close("stopped: the stream changed");
      const value = message.value ?? Buffer.alloc(0);
      const event = await this.decodeWithRetry(value, decode);
      if (!event || event.projectId !== this.stream.projectId || !filter.matches(event.name)) continue;
      chunk.push({
        event,
        source: { topic: this.topic, partition: this.partition, offset: message.offset, value },
      });
      if (chunk.length >= maxEvents) {
        await this.deliverChunk(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await this.deliverChunk(chunk);
  }

  /** A registry away is waited out; a record that cannot be decoded at all is the main path's to park. */
  private async decodeWithRetry(
    value: Buffer,
    decode: CatchUpTaskOptions["decode"],
  ): Promise<DomainEvent | undefined> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        return await decode(value, this.topic);
      } catch (error) {
        if (!(error as { transient?: boolean }).transient) return undefined;
        await delay(Math.min(30_000, 500 * 2 ** attempt));
      }
    }
    return undefined;
  }

  private async deliverChunk(chunk: { event: DomainEvent; source: SourceRecord }[]): Promise<void> {
    const { guard, writer, log, ratePerSecond } = this.options;
    const started = performance.now();
    const results = await guard.deliver(
      this.stream,
      chunk.map((c) => c.event),
    );
    const latencyMs = performance.now() - started;
    const failures: FailedDelivery[] = [];
    chunk.forEach(({ event, source }, i) => {
      const result = results[i];
      if (!result || result.outcome === "delivered") {
        log?.delivered(this.stream, event, 1, latencyMs);
        return;
      }
      failures.push({
        source,
        streamId: this.stream.id,
        projectId: this.stream.projectId,
        sinkType: this.stream.type,
        result,
        event,
        latencyMs,
      });
    });
    // Failures take the retry path like the main path's: the catch-up never waits for a destination.
    if (failures.length > 0) await writer.handOff(failures);
    this.delivered += chunk.length;
    // The rate bound: a chunk of n events takes at least n / rate seconds.
    const minimumMs = (chunk.length / ratePerSecond) * 1000;
    const spent = performance.now() - started;
    if (spent < minimumMs) await delay(minimumMs - spent);
  }

  private async record(): Promise<void> {
    await this.options.store.putCatchUp({
      streamId: this.stream.id,
      topic: this.topic,
      revision: this.stream.revision,
      next: this.next.toString(),
      delivered: this.delivered,
      done: this.next >= this.end,
      at: new Date().toISOString(),
    });
  }
}
