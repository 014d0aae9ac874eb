import type { Logger } from "pino";
import type { DomainEvent } from "../../src/events/domain-event";
import type { SourceRecord } from "../../src/retry";
import type { EventStream } from "../../src/streams/event-stream";
import type { ConnectorMetrics } from "../metrics/metrics";
import type { FailedDelivery, FailedDeliveryWriter } from "../retry/failed-deliveries";
import type { DeliveryResult, SinkRegistry } from "../sinks";
import { AdaptiveConcurrency, type CallSignal, type ConcurrencyBounds } from "./adaptive-concurrency";
import { type DeliveryLog, NO_DELIVERY_LOG } from "./delivery-log";
import type { FailedResult, GuardedDelivery } from "./guarded-delivery";
import { SinkLane } from "./sink-lane";
import type { StreamRateLimits } from "./stream-rate-limits";

export interface Delivery {
  event: DomainEvent;
  source: SourceRecord;
}

interface Pending extends Delivery {
  done: () => void;
  failed: (error: unknown) => void;
  /** Times its destination throttled it and it was put back in line (see MAX_THROTTLED_IN_PLACE). */
  throttled: number;
}

interface StreamQueue {
  stream: EventStream;
  pending: Pending[];
  /** The linger of a partly filled batch, or the wait for the rate limit or a throttle's hold. */
  timer?: NodeJS.Timeout;
  /** Armed while deliveries wait behind the stream's calls in flight (see SET_ASIDE_AFTER_MS). */
  setAsideTimer?: NodeJS.Timeout;
  inFlight: number;
  /** The destination keeps order (SinkDefinition.ordered): one call in flight. */
  ordered: boolean;
  concurrency: AdaptiveConcurrency;
  /** A throttle's Retry-After: nothing of the stream goes before then (Date.now() ms). */
  holdUntil: number;
}

const OPEN_CIRCUIT_LINGER_MS = 250;

/**
 * The longest deliveries wait behind their stream's calls in flight, with none of those calls
 * ending, before they are set aside: handed to the first retry tier, as throttled (`destination-slow`),
 * so that their records can finish. A partition's window holds a bounded number of unfinished
 * records for every stream reading it; without this, a destination that holds each call for
 * seconds (headers trickled, a handshake that stalls) filled it with its own stream's records and
 * paused the partition for every tenant on it. A healthy stream's calls end every few milliseconds.
 */
export const SET_ASIDE_AFTER_MS = 1_000;

/**
 * How often a throttled delivery is put back at the head of its stream's line (the stream having
 * fewer calls in flight meanwhile) before it goes to the retry path instead, where throttling backs
 * off step by step and never dead-letters. Bounded, so a destination that throttles every call
 * cannot keep its events in the partition's window.
 */
export const MAX_THROTTLED_IN_PLACE = 3;

/** The longest a destination's Retry-After holds its stream here; longer waits go to the retry path. */
const MAX_HOLD_MS = 1_000;
/** A throttle without Retry-After holds the stream this long, doubled each time the event is throttled again. */
const THROTTLE_BACKOFF_MS = 100;

/** Streams whose learned concurrency is remembered between their busy spells: a bound. */
const MAX_REMEMBERED = 10_000;

export interface DispatcherOptions {
  sinks: SinkRegistry;
  guard: GuardedDelivery;
  writer: FailedDeliveryWriter;
  log?: DeliveryLog;
  metrics: ConnectorMetrics;
  logger: Logger;
  /** How long a partly filled batch waits for more events before it is sent. */
  lingerMs: number;
  /** The operator's bounds of each stream's calls in flight. */
  concurrency?: ConcurrencyBounds;
  /** The streams' rate limits, shared with every other path to their destinations. */
  rateLimits?: StreamRateLimits;
}

/**
 * Groups deliveries per stream into batches (full, or after the linger) and sends them through the
 * stream's sink. A submitted delivery settles once it is delivered or durably handed to the retry
 * path; only then may its source offset be committed.
 *
 * A stream has as many calls in flight as its AdaptiveConcurrency allows, within the sink type's
 * lane; a stream whose destination keeps order (SinkDefinition.ordered: a FIFO topic or queue, a
 * Kinesis stream) has one, so its events reach it in the order they were consumed. A destination
 * that throttles gets fewer calls, its throttled events again first in line, and a stream's rate
 * limit holds its calls back; more than a second's worth waiting for the limit goes to the retry path.
 */
export class StreamDispatcher {
  private readonly queues = new Map<string, StreamQueue>();
  /** Per sink type with a `concurrency` limit: its calls in flight and the streams waiting. */
  private readonly lanes = new Map<string, SinkLane<StreamQueue>>();
  /** Learned concurrency per stream, kept while its queue comes and goes. */
  private readonly learned = new Map<string, AdaptiveConcurrency>();
  /** Calls in flight per sink type (the in-flight gauge). */
  private readonly inFlightBySink = new Map<string, number>();
  /** Running totals for progress logs (Prometheus has the same, labelled). */
  readonly totals = { submitted: 0, delivered: 0, handedOff: 0 };

  constructor(private readonly options: DispatcherOptions) {}

  submit(stream: EventStream, delivery: Delivery): Promise<void> {
    this.totals.submitted++;
    return new Promise((done, failed) => {
      const queue = this.queueOf(stream);
      if (queue.stream !== stream) {
        queue.stream = stream; // the newest configuration wins
        queue.ordered = this.isOrdered(stream);
      }
      queue.pending.push({ ...delivery, done, failed, throttled: 0 });
      if (queue.inFlight > 0) this.setAsideLater(queue);
      const { maxEvents } = this.options.sinks.definition(stream.type).limits;
      if (queue.pending.length >= maxEvents && !this.options.guard.isOpen(stream.id))
        this.flush(queue, false);
      else this.flushLater(queue);
    });
  }

  /** The stream's calls in flight now and the most it may have (for `get event-stream`). */
  concurrencyOf(streamId: string): { inFlight: number; limit: number } | undefined {
    const learned = this.learned.get(streamId);
    if (!learned) return undefined;
    return { inFlight: this.queues.get(streamId)?.inFlight ?? 0, limit: learned.limit };
  }

  private queueOf(stream: EventStream): StreamQueue {
    let queue = this.queues.get(stream.id);
    if (queue) return queue;
    let concurrency = this.learned.get(stream.id);
    if (concurrency) this.learned.delete(stream.id);
    else concurrency = new AdaptiveConcurrency(this.options.concurrency);
    // Most recently busy last: the first is the one forgotten past the bound.
    this.learned.set(stream.id, concurrency);
    if (this.learned.size > MAX_REMEMBERED) {
      const oldest = this.learned.keys().next().value;
      if (oldest !== undefined) this.learned.delete(oldest);
    }
    queue = { stream, pending: [], inFlight: 0, ordered: this.isOrdered(stream), concurrency, holdUntil: 0 };
    this.queues.set(stream.id, queue);
    return queue;
  }

  /**
   * After the linger; an open circuit's deliveries only go to a retry tier, where they wait seconds
   * anyway, so they gather for longer and take fewer writes from the process healthy streams share.
   */
  private flushLater(queue: StreamQueue, afterMs?: number): void {
    const open = this.options.guard.isOpen(queue.stream.id);
    queue.timer ??= setTimeout(
      () => {
        queue.timer = undefined;
        this.flush(queue, true);
      },
      afterMs ?? (open ? OPEN_CIRCUIT_LINGER_MS : this.options.lingerMs),
    );
  }

  /**
   * Sends what the stream may send now: full batches while it has calls to spare, and with
   * `partial` (the linger is over, or a call ended) a partly filled one too.
   */
  private flush(queue: StreamQueue, partial: boolean): void {
    if (queue.pending.length === 0) return;
    const { stream } = queue;
    const { maxEvents, concurrency } = this.options.sinks.definition(stream.type).limits;
    // An open circuit calls the destination with one probe event at most: hand the whole backlog
    // off in one write rather than sink-sized batches one after another, which would hold up the
    // partitions this stream shares with healthy ones. It takes none of the sink's calls.
    if (this.options.guard.isOpen(stream.id)) {
      if (queue.inFlight === 0) this.send(queue, queue.pending.length);
      return;
    }
    const wait = queue.holdUntil - Date.now();
    if (wait > 0) {
      this.waitFor(queue, wait);
      return;
    }
    this.setAsideBeyondRate(queue);
    const limit = this.limitOf(queue);
    while (queue.pending.length > 0 && queue.inFlight < limit) {
      const full = queue.pending.length >= maxEvents;
      if (!full && !partial) break;
      const allowed = this.options.rateLimits?.available(stream) ?? Number.POSITIVE_INFINITY;
      if (allowed < 1) {
        const rateWait = this.options.rateLimits?.waitMs(stream, Math.min(maxEvents, queue.pending.length));
        this.waitFor(queue, rateWait ?? 0);
        return;
      }
      const size = Math.min(maxEvents, allowed);
      if (concurrency === undefined) {
        this.send(queue, size);
        continue;
      }
      const lane = this.lane(stream.type, concurrency);
      // The batch is cut when the call can start, so it fills while it waits.
      if (lane.isWaiting(queue) || !lane.tryAcquire()) {
        lane.wait(queue, full);
        return;
      }
      this.send(queue, size, () => this.passOn(lane, maxEvents));
    }
    if (queue.pending.length > 0 && queue.inFlight === 0) this.flushLater(queue);
  }

  /** A call of the lane ended: its slot goes to the next stream waiting that can use it. */
  private passOn(lane: SinkLane<StreamQueue>, maxEvents: number): void {
    for (let next = lane.release(); next; next = lane.release()) {
      if (next.pending.length === 0 || next.inFlight >= this.limitOf(next)) continue;
      // Its circuit opened meanwhile (an open circuit hands off without a call): on to the next.
      if (this.options.guard.isOpen(next.stream.id)) {
        this.flush(next, true);
        continue;
      }
      const allowed = this.options.rateLimits?.available(next.stream) ?? Number.POSITIVE_INFINITY;
      if (allowed < 1 || next.holdUntil > Date.now()) {
        this.flush(next, true);
        continue;
      }
      this.send(next, Math.min(maxEvents, allowed), () => this.passOn(lane, maxEvents));
      return;
    }
  }

  private limitOf(queue: StreamQueue): number {
    return queue.ordered ? 1 : queue.concurrency.limit;
  }

  private isOrdered(stream: EventStream): boolean {
    return this.options.sinks.definition(stream.type).ordered?.(stream.config) === true;
  }

  private waitFor(queue: StreamQueue, ms: number): void {
    clearTimeout(queue.timer);
    queue.timer = undefined;
    this.flushLater(queue, Math.max(1, ms));
  }

  private lane(sinkType: string, concurrency: number): SinkLane<StreamQueue> {
    let lane = this.lanes.get(sinkType);
    if (!lane) {
      lane = new SinkLane(concurrency);
      this.lanes.set(sinkType, lane);
    }
    return lane;
  }

  private setAsideLater(queue: StreamQueue): void {
    queue.setAsideTimer ??= setTimeout(() => this.setAside(queue), SET_ASIDE_AFTER_MS);
  }

  /** Hands every delivery still waiting to the retry path (see SET_ASIDE_AFTER_MS). */
  private setAside(queue: StreamQueue): void {
    queue.setAsideTimer = undefined;
    // Waiting for the rate limit or a throttle's hold is bounded (a second's worth, MAX_HOLD_MS).
    if (queue.pending.length === 0 || queue.inFlight === 0) return;
    clearTimeout(queue.timer);
    queue.timer = undefined;
    const batch = queue.pending.splice(0);
    this.options.logger.warn(
      {
        streamId: queue.stream.id,
        projectId: queue.stream.projectId,
        sink: queue.stream.type,
        setAside: batch.length,
      },
      "destination slow: deliveries waiting behind its calls handed to the retry path",
    );
    this.handOffWaiting(queue, batch, {
      outcome: "retryable",
      code: "destination-slow",
      message: `waited over ${SET_ASIDE_AFTER_MS} ms behind the stream's calls in flight`,
      throttled: true,
    });
  }

  /**
   * More than a second's worth of events waiting for the stream's rate limit: the newest of them go
   * to the retry path now, rather than fill the partition's window the stream shares with others.
   */
  private setAsideBeyondRate(queue: StreamQueue): void {
    const rate = queue.stream.rateLimit;
    if (rate === undefined || queue.pending.length <= rate) return;
    const surplus = queue.pending.splice(rate);
    this.handOffWaiting(queue, surplus, {
      outcome: "retryable",
      code: "RateLimited",
      message: `over the stream's rate limit of ${rate} events a second`,
      throttled: true,
      retryAfterMs: Math.ceil((surplus.length / rate) * 1000),
    });
  }

  private handOffWaiting(queue: StreamQueue, batch: Pending[], result: FailedResult): void {
    const { stream } = queue;
    this.options.metrics.setAside.inc({ sink: stream.type }, batch.length);
    const failures: FailedDelivery[] = batch.map((p) => ({
      source: p.source,
      streamId: stream.id,
      projectId: stream.projectId,
      sinkType: stream.type,
      result,
    }));
    this.options.writer.handOff(failures).then(
      () => {
        this.totals.handedOff += batch.length;
        for (const p of batch) p.done();
      },
      (error) => {
        for (const p of batch) p.failed(error);
      },
    );
  }

  /** Sends up to `size` of the queue's deliveries in one call; `ended` runs when it is over. */
  private send(queue: StreamQueue, size: number, ended?: () => void): void {
    const batch = queue.pending.splice(0, size);
    const { stream, concurrency } = queue;
    queue.inFlight++;
    this.countInFlight(stream.type, 1);
    concurrency.started(queue.inFlight);
    const started = performance.now();
    this.deliver(queue, batch)
      .then(
        ({ signal, throttled }) => {
          concurrency.ended(performance.now() - started, signal);
          (this.options.log ?? NO_DELIVERY_LOG).load(stream, concurrency.limit, throttled);
        },
        (error) => {
          for (const p of batch) p.failed(error);
        },
      )
      .finally(() => {
        queue.inFlight--;
        this.countInFlight(stream.type, -1);
        clearTimeout(queue.setAsideTimer);
        queue.setAsideTimer = undefined;
        ended?.();
        if (queue.pending.length > 0) {
          this.flush(queue, true);
          if (queue.pending.length > 0 && queue.inFlight > 0) this.setAsideLater(queue);
        } else if (queue.inFlight === 0 && !queue.timer) this.queues.delete(stream.id);
      });
  }

  private countInFlight(sinkType: string, by: number): void {
    const now = (this.inFlightBySink.get(sinkType) ?? 0) + by;
    this.inFlightBySink.set(sinkType, now);
    this.options.metrics.streamCallsInFlight.set({ sink: sinkType }, now);
  }

  /**
   * One call and what became of each delivery: delivered, put back at the head of the line
   * (throttled, a few times), or handed to the retry path. Says what the call told of the load.
   */
  private async deliver(
    queue: StreamQueue,
    batch: Pending[],
  ): Promise<{ signal: CallSignal; throttled: number }> {
    const { metrics, logger, guard, writer, log = NO_DELIVERY_LOG } = this.options;
    const { stream } = queue;
    const started = performance.now();
    const results = await guard.deliver(
      stream,
      batch.map((p) => p.event),
    );
    const latencyMs = performance.now() - started;
    const failures: FailedDelivery[] = [];
    const handedOff: Pending[] = [];
    const again: Pending[] = [];
    let signal: CallSignal = "ok";
    let throttled = 0;
    let retryAfterMs = 0;
    const now = Date.now();
    batch.forEach((p, i) => {
      const result = results[i] as DeliveryResult;
      if (result.outcome === "delivered") {
        this.totals.delivered++;
        metrics.endToEndLatency.observe((now - p.event.timestamp.getTime()) / 1000);
        log.delivered(stream, p.event, 1, latencyMs);
        p.done();
        return;
      }
      if (result.outcome === "retryable" && result.throttled) {
        signal = "throttled";
        throttled++;
      } else if (signal === "ok") signal = isTimeout(result) ? "timeout" : "failed";
      if (result.outcome === "retryable" && result.throttled && p.throttled < MAX_THROTTLED_IN_PLACE) {
        p.throttled++;
        retryAfterMs = Math.max(
          retryAfterMs,
          result.retryAfterMs ?? THROTTLE_BACKOFF_MS * 2 ** (p.throttled - 1),
        );
        again.push(p);
        return;
      }
      handedOff.push(p);
      failures.push({
        source: p.source,
        streamId: stream.id,
        projectId: stream.projectId,
        sinkType: stream.type,
        result,
        event: p.event,
        latencyMs,
      });
    });
    if (again.length > 0) {
      // First in line again, in the order they came: an ordered stream keeps its order.
      queue.pending.unshift(...again);
      if (retryAfterMs > 0)
        queue.holdUntil = Math.max(queue.holdUntil, now + Math.min(retryAfterMs, MAX_HOLD_MS));
    }
    if (failures.length > 0) {
      const first = failures[0]?.result;
      logger.warn(
        {
          streamId: stream.id,
          projectId: stream.projectId,
          sink: stream.type,
          failed: failures.length,
          code: first?.code,
          error: first?.message,
        },
        "deliveries failed; handing them to the retry path",
      );
      try {
        const { deadLettered } = await writer.handOff(failures);
        if (deadLettered > 0) metrics.deadLettered.inc({ reason: "permanent-failure" }, deadLettered);
        this.totals.handedOff += failures.length;
        for (const p of handedOff) p.done();
      } catch (error) {
        for (const p of handedOff) p.failed(error);
      }
    } else if (again.length === 0) {
      logger.debug({ streamId: stream.id, sink: stream.type, events: batch.length }, "batch delivered");
    }
    return { signal, throttled };
  }

  /** Deliveries submitted and not yet settled. */
  get pending(): number {
    return this.totals.submitted - this.totals.delivered - this.totals.handedOff;
  }

  /** Per sink type with a concurrency limit: calls in flight and streams waiting for one. */
  get sinkCalls(): Record<string, { inFlight: number; waiting: number }> {
    return Object.fromEntries([...this.lanes].map(([type, lane]) => [type, lane.load]));
  }

  /**
   * A rebalance took these partitions away: their records' deliveries not sent yet are dropped
   * (settled without a call). The partition's new owner reads them again from the committed offset,
   * which never passed them; sent by both, a FIFO destination would see two senders at once and no
   * order. Returns how many were dropped.
   */
  dropUnowned(owns: (topic: string, partition: number) => boolean): number {
    let dropped = 0;
    for (const queue of this.queues.values()) {
      const kept: Pending[] = [];
      for (const p of queue.pending) {
        if (owns(p.source.topic, p.source.partition)) kept.push(p);
        else {
          dropped++;
          this.totals.handedOff++;
          p.done();
        }
      }
      queue.pending = kept;
    }
    return dropped;
  }

  /** Sends every partly filled batch now (used when stopping). */
  flushAll(): void {
    for (const queue of this.queues.values()) this.flush(queue, true);
  }
}

function isTimeout(result: DeliveryResult): boolean {
  return (
    result.outcome === "retryable" &&
    /timeout|timed out|did not answer in time/i.test(`${result.code} ${result.message}`)
  );
}
