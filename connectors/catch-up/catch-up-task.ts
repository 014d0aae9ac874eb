import { randomUUID } from "node:crypto";
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "pino";
import type { DomainEvent } from "../../src/events/domain-event";
import { withAdmin } from "../../src/kafka/with-admin";
import {
  H,
  headerString,
  type RetryRecord,
  type RetryState,
  readRetryRecord,
  type SourceRecord,
} from "../../src/retry";
import { eventFilterOf } from "../../src/streams/event-filter";
import type { EventStream } from "../../src/streams/event-stream";
import type { StreamStore } from "../../src/streams/stream-store";
import { delay } from "../../src/util/wait-for";
import type { DeliveryLog } from "../delivery/delivery-log";
import type { GuardedDelivery } from "../delivery/guarded-delivery";
import type { FailedDelivery, FailedDeliveryWriter } from "../retry/failed-deliveries";
import type { Handovers } from "./handovers";

/** How often a catch-up inside one long fetched batch records how far it got. */
const RECORD_EVERY_MS = 1_000;
/** How often an in-order catch-up asks for the main group's committed offset (see proposeHandover). */
const COMMITTED_EVERY_MS = 2_000;
/**
 * How long the parked topic's catch-up reads on past its end: a retry consumer that had not seen
 * the resume yet may still park a record of the stream meanwhile (records parked later than this
 * would wait for the stream's next pause and resume).
 */
export const PARKED_SETTLE_MS = 10_000;

export interface CatchUpTaskOptions {
  kafka: Kafka;
  groupId: string;
  store: StreamStore;
  decode(value: Buffer, topic: string): Promise<DomainEvent>;
  guard: GuardedDelivery;
  writer: FailedDeliveryWriter;
  log?: DeliveryLog;
  logger: Logger;
  /** Events a second a catch-up delivers at most (the operator's bound, whatever a replay asks). */
  ratePerSecond: number;
  /** Events per sink call. */
  maxEvents: number;
  /** Where an in-order catch-up meets the live path of this process (see Handovers). */
  handovers: Handovers;
  /**
   * The stream as it is now, while it still wants this job (active; the same resume or replay);
   * undefined stops the task. Each chunk is delivered with it: an edit applies at once.
   */
  current(): EventStream | undefined;
}

/** An event the catch-up delivers, where it was read, and for a parked retry its attempts so far. */
interface Found {
  event: DomainEvent;
  source: SourceRecord;
  previous?: RetryState;
}

/** A parked record: a retry record that says which step it left (see parkUntilResume). */
function parkedRecord(message: KafkaMessage): RetryRecord {
  return readRetryRecord(message, Number(headerString(message.headers, H.parkedFromTier) ?? 0));
}

/** One catch-up: a stream's events of one partition, from `start` to `end`. */
export interface CatchUpJob {
  /** `resume@<revision>` or `replay:<id>` (see CatchUpProgress). */
  job: string;
  stream: EventStream;
  topic: string;
  partition: number;
  start: string;
  end: bigint;
  /** Read on past `end` until the live path takes over (Backlog.inOrder; see Handovers). */
  inOrder?: boolean;
  /**
   * The topic is the parked one (SystemTopics.parked): its records are retry records of the
   * project's paused streams, this stream's are delivered as the attempt after their last.
   */
  parked?: boolean;
  /** Whose partition it is to run (default: its own): the parked one goes with the stream's project. */
  owner?: { topic: string; partition: number };
  /** Counts recorded before this task (an earlier runner's). */
  found: number;
  delivered: number;
  /** A replay's window of event times, [since, until). */
  window?: { since: number; until: number | null };
  /** A replay's own rate (events/s); it never goes past the process's `ratePerSecond`. */
  rate?: number;
}

/**
 * Delivers one stream's events of one domain topic partition, from `start` to `end` (a resumed
 * stream's backlog, or a replay), at a bounded rate, on a consumer of its own. After each fetched
 * batch it records how far it got (CatchUpProgress), once every delivery of the batch succeeded or
 * was handed to the retry path: a connector that takes over goes on from there. The project's
 * records only, and of those the ones the stream's filter (and a replay's window) takes, go to
 * the destination; the rest is read past.
 */
export class CatchUpTask {
  private consumer?: Consumer;
  private stopped = false;
  private next: bigint;
  private found: number;
  private delivered: number;
  /** Where reading stops: the job's end, or for an in-order one the hand-over offset once fixed. */
  private end: bigint | undefined;
  private recordedAt = Date.now();
  /** A parked catch-up at its end reads on until then (see PARKED_SETTLE_MS). */
  private settleAt?: number;
  private settleTimer?: NodeJS.Timeout;
  private inBatch = false;
  private committedAt = 0;
  readonly finished: Promise<void>;
  private finish: () => void = () => undefined;

  constructor(
    private readonly options: CatchUpTaskOptions,
    private readonly job: CatchUpJob,
  ) {
    this.next = BigInt(job.start);
    this.found = job.found;
    this.delivered = job.delivered;
    this.finished = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  get projectId(): string {
    return this.job.stream.projectId;
  }

  private get stream(): EventStream {
    return this.job.stream;
  }

  private get topic(): string {
    return this.job.topic;
  }

  private get partition(): number {
    return this.job.partition;
  }

  /** Whether it read to its end (rather than stopped): its done record may not be back yet. */
  get caughtUp(): boolean {
    return this.done;
  }

  private get done(): boolean {
    return this.end !== undefined && this.next >= this.end;
  }

  /** An in-order catch-up close enough behind the live path fixes where it hands over. */
  private async proposeHandover(): Promise<void> {
    if (!this.job.inOrder || this.end !== undefined) return;
    const { handovers } = this.options;
    const committed = handovers.hasRouted(this.topic, this.partition) ? undefined : await this.committed();
    this.end = handovers.propose(
      this.job.job,
      this.stream.id,
      this.topic,
      this.partition,
      this.next,
      committed,
    );
    if (this.end !== undefined) {
      this.options.logger.info(
        { streamId: this.stream.id, topic: this.topic, next: this.next.toString(), at: this.end.toString() },
        "catch-up hands over to the live path",
      );
    }
  }

  /** The main group's committed offset in the partition (undefined: none), looked up at most every 2 s. */
  private async committed(): Promise<bigint | undefined> {
    if (Date.now() - this.committedAt < COMMITTED_EVERY_MS) return undefined;
    this.committedAt = Date.now();
    const { kafka, groupId } = this.options;
    const [offsets] = await withAdmin(kafka, (admin) =>
      admin.fetchOffsets({ groupId, topics: [this.topic] }),
    );
    const offset = offsets?.partitions.find((p) => p.partition === this.partition)?.offset;
    return offset !== undefined && Number(offset) >= 0 ? BigInt(offset) : undefined;
  }

  /** The parked topic's catch-up ends once it has been at the partition's end for a while. */
  private async settleParked(highWatermark?: bigint): Promise<void> {
    if (!this.job.parked || this.end !== undefined || this.next < this.job.end) return;
    this.settleAt ??= Date.now() + PARKED_SETTLE_MS;
    if (Date.now() < this.settleAt) {
      this.settleTimer ??= setTimeout(() => this.settleWhenIdle(), this.settleAt - Date.now());
      return;
    }
    const high = highWatermark ?? (await this.highWatermark());
    if (this.next >= high) this.end = this.next;
  }

  /** No batch came by the settle time: end here if nothing more was parked meanwhile. */
  private settleWhenIdle(): void {
    this.settleTimer = undefined;
    if (this.stopped || this.inBatch) return;
    void this.settleParked()
      .then(async () => {
        if (!this.done || this.stopped || this.inBatch) return;
        await this.record();
        await this.close("caught up");
      })
      .catch((error: unknown) => {
        this.options.logger.warn(
          { streamId: this.stream.id, err: error },
          "parked catch-up: end not checked",
        );
        this.settleTimer ??= setTimeout(() => this.settleWhenIdle(), 1_000);
      });
  }

  private async highWatermark(): Promise<bigint> {
    const offsets = await withAdmin(this.options.kafka, (admin) => admin.fetchTopicOffsets(this.topic));
    return BigInt(offsets.find((o) => o.partition === this.partition)?.high ?? "0");
  }

  /** Where reading ends, for the jobs whose end is found while reading (in-order, parked). */
  private async findEnd(highWatermark?: bigint): Promise<void> {
    await this.proposeHandover();
    await this.settleParked(highWatermark);
  }

  async start(): Promise<void> {
    this.end = this.job.inOrder || this.job.parked ? undefined : this.job.end;
    await this.findEnd();
    if (this.done) {
      // Nothing was left: say so, so no runner looks at it again.
      await this.record();
      this.stopped = true;
      this.options.handovers.complete(this.stream.id, this.topic);
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
      if (this.stopped) return;
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
        this.inBatch = true;
        try {
          const records = batch.messages.filter((m) => {
            const offset = BigInt(m.offset);
            return offset >= this.next && (this.end === undefined || offset < this.end);
          });
          await this.deliverAll(records);
          if (this.stopped) return;
          const last = BigInt(batch.lastOffset()) + 1n;
          this.next = this.end === undefined || last < this.end ? last : this.end;
          await this.findEnd(BigInt(batch.highWatermark));
          await this.record();
          await heartbeat();
          if (this.done) {
            // Recorded first: held records go only once another instance would know it too.
            this.options.handovers.complete(this.stream.id, this.topic);
            await this.close("caught up");
          }
        } finally {
          this.inBatch = false;
        }
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
    clearTimeout(this.settleTimer);
    const { logger, handovers } = this.options;
    if (!this.done) handovers.abandon(this.stream.id, this.topic);
    logger.info(
      {
        streamId: this.stream.id,
        job: this.job.job,
        topic: this.topic,
        next: this.next.toString(),
        found: this.found,
        delivered: this.delivered,
      },
      this.done ? "catch-up caught up" : `catch-up ${reason}`,
    );
    // Not awaited from inside its own eachBatch: disconnecting waits for that batch to end.
    if (this.consumer) void this.consumer.disconnect().finally(() => this.finish());
    else this.finish();
  }

  private async deliverAll(records: KafkaMessage[]): Promise<void> {
    const { decode, maxEvents } = this.options;
    let chunk: Found[] = [];
    for (const message of records) {
      const stream = this.options.current();
      if (this.stopped || !stream) return this.close("stopped: the stream changed");
      const value = message.value ?? Buffer.alloc(0);
      const retry = this.job.parked ? parkedRecord(message) : undefined;
      if (retry && retry.streamId !== stream.id) continue; // another paused stream's of the project
      const source = retry?.source ?? {
        topic: this.topic,
        partition: this.partition,
        offset: message.offset,
        value,
      };
      const event = await this.decodeWithRetry(value, source.topic, decode);
      if (!event || !this.takes(stream, event)) continue;
      chunk.push({ event, source, ...(retry ? { previous: retry.state } : {}) });
      if (chunk.length >= maxEvents) {
        await this.deliverChunk(stream, chunk);
        chunk = [];
        // Everything up to this record is handled: a long batch records how far it got now and then.
        if (Date.now() - this.recordedAt >= RECORD_EVERY_MS) {
          this.next = BigInt(message.offset) + 1n;
          await this.record();
        }
      }
    }
    const stream = this.options.current();
    if (chunk.length > 0 && stream) await this.deliverChunk(stream, chunk);
  }

  private takes(stream: EventStream, event: DomainEvent): boolean {
    if (event.projectId !== stream.projectId || !eventFilterOf(stream.eventTypes).matches(event.name)) {
      return false;
    }
    const window = this.job.window;
    if (!window) return true;
    const at = event.timestamp.getTime();
    return at >= window.since && (window.until === null || at < window.until);
  }

  /** A registry away is waited out; a record that cannot be decoded at all is the main path's to park. */
  private async decodeWithRetry(
    value: Buffer,
    topic: string,
    decode: CatchUpTaskOptions["decode"],
  ): Promise<DomainEvent | undefined> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        return await decode(value, topic);
      } catch (error) {
        if (!(error as { transient?: boolean }).transient) return undefined;
        await delay(Math.min(30_000, 500 * 2 ** attempt));
      }
    }
    return undefined;
  }

  private async deliverChunk(stream: EventStream, chunk: Found[]): Promise<void> {
    const { guard, writer, log, ratePerSecond } = this.options;
    const started = performance.now();
    const results = await guard.deliver(
      stream,
      chunk.map((c) => c.event),
    );
    const latencyMs = performance.now() - started;
    const failures: FailedDelivery[] = [];
    chunk.forEach(({ event, source, previous }, i) => {
      const result = results[i];
      if (!result || result.outcome === "delivered") {
        this.delivered++;
        log?.delivered(stream, event, (previous?.attempt ?? 0) + 1, latencyMs);
        return;
      }
      failures.push({
        source,
        streamId: stream.id,
        projectId: stream.projectId,
        sinkType: stream.type,
        result,
        event,
        latencyMs,
        ...(previous ? { previous } : {}),
      });
    });
    // Failures take the retry path like the main path's: the catch-up never waits for a destination.
    if (failures.length > 0) await writer.handOff(failures);
    this.found += chunk.length;
    // The rate bound: a chunk of n events takes at least n / rate seconds.
    const rate = Math.min(ratePerSecond, this.job.rate ?? ratePerSecond);
    const minimumMs = (chunk.length / rate) * 1000;
    const spent = performance.now() - started;
    if (spent < minimumMs) await delay(minimumMs - spent);
  }

  private async record(): Promise<void> {
    this.recordedAt = Date.now();
    await this.options.store.putCatchUp({
      streamId: this.stream.id,
      topic: this.topic,
      job: this.job.job,
      next: this.next.toString(),
      found: this.found,
      delivered: this.delivered,
      done: this.done,
      at: new Date().toISOString(),
    });
  }
}
