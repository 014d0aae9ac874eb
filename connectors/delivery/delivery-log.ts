import { CompressionTypes, type Message, type Producer } from "kafkajs";
import type { Logger } from "pino";
import { type DeliveryLogEntry, serializeDeliveryLogEntry } from "../../src/deliveries/delivery-log";
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
}

export const NO_DELIVERY_LOG: DeliveryLog = { delivered: () => undefined, failed: () => undefined };

export interface DeliveryLogWriterOptions {
  producer: Producer;
  topic: string;
  logger: Logger;
  /** Successes kept per stream per second (every failure is kept). */
  successesPerSecond?: number;
  /** Entries waiting to be sent; past it new ones are dropped and counted. */
  maxBuffered?: number;
  flushMs?: number;
  onDropped?(count: number): void;
}

/** Streams whose last sampled second is remembered: a bound, however many streams deliver. */
const MAX_SAMPLED_STREAMS = 10_000;

/**
 * Writes the deliveries log, off the delivery path: entries gather in a bounded buffer and go out
 * in one compressed request per `flushMs`. The log is for people, not for delivery guarantees:
 * an entry that cannot be written is dropped and counted, and never holds up a delivery.
 * Successes (and deliveries an open circuit turned away) are sampled per stream and second, so a
 * busy stream costs the log a record a second.
 */
export class DeliveryLogWriter implements DeliveryLog {
  private buffer: Message[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private readonly sampled = new Map<string, { second: number; count: number }>();
  private readonly successesPerSecond: number;
  private readonly maxBuffered: number;
  private readonly flushMs: number;

  constructor(private readonly options: DeliveryLogWriterOptions) {
    this.successesPerSecond = options.successesPerSecond ?? 1;
    this.maxBuffered = options.maxBuffered ?? 10_000;
    this.flushMs = options.flushMs ?? 200;
  }

  delivered(stream: EventStream, event: DomainEvent, attempt: number, latencyMs: number): void {
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
    if (result.code === "CircuitOpen" && !this.sample(`${attempt.streamId} circuit-open`)) return;
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

  /** Sends what is buffered and waits for it. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    await this.sending;
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
    if (this.buffer.length >= this.maxBuffered) {
      this.options.onDropped?.(1);
      return;
    }
    this.buffer.push({ key: entry.streamId, value: serializeDeliveryLogEntry(entry) });
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
