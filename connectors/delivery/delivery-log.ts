import { CompressionTypes, type Message, type Producer } from "kafkajs";
import type { Logger } from "pino";
import { type DeliveryLogEntry, serializeDeliveryLogEntry } from "../../src/deliveries/delivery-log";
import {
  type DeliveryTally,
  LATENCY_BOUNDS_MS,
  latencyBucket,
  TALLY_INTERVAL_MS,
} from "../../src/deliveries/delivery-tally";
import type { DomainEvent } from "../../src/events/domain-event";
import type { Placement } from "../../src/retry";
import type { EventStream } from "../../src/streams/event-stream";
import type { DeliveryResult } from "../sinks";

/** What the connector tells the deliveries log; NO_DELIVERY_LOG when it is off. */
export interface DeliveryLog {
  delivered(stream: EventStream, event: DomainEvent, attempt: number, latencyMs: number): void;
  failed(
    attempt: {
      streamId: string;
      projectId: string;
      event?: { id: string; name: string };
      attempt: number;
      latencyMs?: number;
    },
    result: Exclude<DeliveryResult, { outcome: "delivered" }>,
    placement: Placement,
  ): void;
  /** After each call of the main path: the stream's calls-in-flight limit now, and what was throttled. */
  load(stream: EventStream, inFlightLimit: number, throttled: number): void;
}

export const NO_DELIVERY_LOG: DeliveryLog = {
  delivered: () => undefined,
  failed: () => undefined,
  load: () => undefined,
};

export interface DeliveryLogWriterOptions {
  producer: Producer;
  topic: string;
  logger: Logger;
  /** Successes kept per stream per second (every failure is kept). */
  successesPerSecond?: number;
  /** Entries waiting to be sent; past it new ones are dropped and counted. */
  maxBuffered?: number;
  flushMs?: number;
  /** How often each stream's counts go out as a tally (TALLY_INTERVAL_MS). */
  tallyMs?: number;
  onDropped?(count: number): void;
}

/** Streams whose last sampled second is remembered: a bound, however many streams deliver. */
const MAX_SAMPLED_STREAMS = 10_000;

/**
 * Writes the deliveries log, off the delivery path: entries gather in a bounded buffer and go out
 * in one compressed request per `flushMs`. The log is for people, not for delivery guarantees:
 * an entry that cannot be written is dropped and counted, and never holds up a delivery.
 * Successes (and deliveries an open circuit turned away) are sampled per stream and second, so a
 * busy stream costs the log a record a second; what they all add up to goes out as a tally per
 * stream and stretch (DeliveryTally), for the summary in `get event-stream`.
 */
export class DeliveryLogWriter implements DeliveryLog {
  private buffer: Message[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private readonly sampled = new Map<string, { second: number; count: number }>();
  /** This stretch's counts, by stream: only streams that delivered in it, so bounded by them. */
  private tallies = new Map<string, DeliveryTally>();
  private stretchFrom = Date.now();
  private readonly tallyTimer: NodeJS.Timeout;
  private readonly successesPerSecond: number;
  private readonly maxBuffered: number;
  private readonly flushMs: number;

  constructor(private readonly options: DeliveryLogWriterOptions) {
    this.successesPerSecond = options.successesPerSecond ?? 1;
    this.maxBuffered = options.maxBuffered ?? 10_000;
    this.flushMs = options.flushMs ?? 200;
    this.tallyTimer = setInterval(() => this.tallyUp(), options.tallyMs ?? TALLY_INTERVAL_MS);
    this.tallyTimer.unref();
  }

  delivered(stream: EventStream, event: DomainEvent, attempt: number, latencyMs: number): void {
    const tally = this.tallyOf(stream.id);
    tally.delivered++;
    const bucket = latencyBucket(latencyMs);
    tally.latency[bucket] = (tally.latency[bucket] ?? 0) + 1;
    if (!this.sample(stream.id)) return;
    this.add({
      streamId: stream.id,
      projectId: stream.projectId,
      at: new Date().toISOString(),
      eventId: event.id,
      eventName: event.name,
      attempt,
      outcome: "delivered",
      code: null,
      message: null,
      latencyMs: Math.round(latencyMs),
      next: "done",
    });
  }

  failed(
    attempt: Parameters<DeliveryLog["failed"]>[0],
    result: Parameters<DeliveryLog["failed"]>[1],
    placement: Placement,
  ): void {
    // An open circuit's deliveries never reached the destination: sampled like successes.
    if (result.code === "CircuitOpen") {
      if (!this.sample(`${attempt.streamId} circuit-open`)) return;
    } else if (result.outcome === "retryable" && result.throttled) {
      // Asked to slow down is not failing: counted apart, logged as a sample.
      this.tallyOf(attempt.streamId).throttled++;
      if (!this.sample(`${attempt.streamId} throttled`)) return;
    } else this.tallyOf(attempt.streamId).failed++;
    this.add({
      streamId: attempt.streamId,
      projectId: attempt.projectId,
      at: new Date().toISOString(),
      eventId: attempt.event?.id ?? "",
      eventName: attempt.event?.name ?? "",
      attempt: attempt.attempt,
      outcome: result.outcome,
      code: result.code,
      message: result.message,
      latencyMs: Math.round(attempt.latencyMs ?? 0),
      next: placement.kind === "tier" ? `retry ${placement.tier.name}` : "dead-letter",
    });
  }

  load(stream: EventStream, inFlightLimit: number, throttled: number): void {
    const tally = this.tallyOf(stream.id);
    tally.inFlightLimit = inFlightLimit;
    tally.throttled += throttled;
  }

  /** Sends the counts and what is buffered, and waits for it. */
  async stop(): Promise<void> {
    clearInterval(this.tallyTimer);
    this.tallyUp();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    await this.sending;
  }

  private tallyOf(streamId: string): DeliveryTally {
    let tally = this.tallies.get(streamId);
    if (!tally) {
      const latency = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
      tally = {
        kind: "tally",
        streamId,
        from: this.stretchFrom,
        delivered: 0,
        failed: 0,
        latency,
        throttled: 0,
      };
      this.tallies.set(streamId, tally);
    }
    return tally;
  }

  /** The stretch's tallies into the buffer, and a new stretch. */
  private tallyUp(): void {
    const tallies = this.tallies;
    this.tallies = new Map();
    this.stretchFrom = Date.now();
    for (const tally of tallies.values()) this.push(tally.streamId, JSON.stringify(tally));
  }

  /** Whether one more entry of this kind fits this second's sample. */
  private sample(key: string): boolean {
    const second = Math.floor(Date.now() / 1000);
    const last = this.sampled.get(key);
    if (last && last.second === second) {
      if (last.count >= this.successesPerSecond) return false;
      last.count++;
      return true;
    }
    if (this.sampled.size >= MAX_SAMPLED_STREAMS) this.sampled.clear();
    this.sampled.set(key, { second, count: 1 });
    return true;
  }

  private add(entry: DeliveryLogEntry): void {
    this.push(entry.streamId, serializeDeliveryLogEntry(entry));
  }

  private push(streamId: string, value: string): void {
    if (this.buffer.length >= this.maxBuffered) {
      this.options.onDropped?.(1);
      return;
    }
    this.buffer.push({ key: streamId, value });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.flushMs);
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    const messages = this.buffer;
    this.buffer = [];
    const { producer, topic, logger } = this.options;
    this.sending = this.sending.then(() =>
      producer.send({ topic, acks: 1, compression: CompressionTypes.GZIP, messages }).then(
        () => undefined,
        (error: unknown) => {
          this.options.onDropped?.(messages.length);
          logger.warn(
            { topic, dropped: messages.length, error: String(error) },
            "deliveries log entries dropped",
          );
        },
      ),
    );
  }
}
