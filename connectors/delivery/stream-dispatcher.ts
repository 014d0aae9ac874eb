import type { Logger } from "pino";
import type { DomainEvent } from "../../src/events/domain-event";
import type { SourceRecord } from "../../src/retry";
import type { EventStream } from "../../src/streams/event-stream";
import type { ConnectorMetrics } from "../metrics/metrics";
import type { FailedDelivery, FailedDeliveryWriter } from "../retry/failed-deliveries";
import type { DeliveryResult, SinkRegistry } from "../sinks";
import { type DeliveryLog, NO_DELIVERY_LOG } from "./delivery-log";
import type { GuardedDelivery } from "./guarded-delivery";
import { SinkLane } from "./sink-lane";

export interface Delivery {
  event: DomainEvent;
  source: SourceRecord;
}

interface Pending extends Delivery {
  done: () => void;
  failed: (error: unknown) => void;
}

interface StreamQueue {
  stream: EventStream;
  pending: Pending[];
  timer?: NodeJS.Timeout;
  /** Armed while deliveries wait behind the stream's call in flight (see SET_ASIDE_AFTER_MS). */
  setAsideTimer?: NodeJS.Timeout;
  flushing: boolean;
}

const OPEN_CIRCUIT_LINGER_MS = 250;

/**
 * The longest a delivery waits behind its stream's call in flight before it is set aside: handed to
 * the first retry tier, as a retryable failure (`destination-slow`), so that its record can finish.
 * A partition's window holds a bounded number of unfinished records for every stream reading it;
 * without this, a destination that holds each call for seconds (headers trickled, a handshake that
 * stalls) filled it with its own stream's records and paused the partition for every tenant on it.
 * Now a stream holds at most about this long of its own events. A healthy stream waits far less:
 * a call is milliseconds to a few hundred, and a full batch goes as soon as the call before it ends.
 */
export const SET_ASIDE_AFTER_MS = 1_000;

export interface DispatcherOptions {
  sinks: SinkRegistry;
  guard: GuardedDelivery;
  writer: FailedDeliveryWriter;
  log?: DeliveryLog;
  metrics: ConnectorMetrics;
  logger: Logger;
  /** How long a partly filled batch waits for more events before it is sent. */
  lingerMs: number;
}

/**
 * Groups deliveries per stream into batches (full, or after the linger) and sends them through the
 * stream's sink. A submitted delivery settles once it is delivered or durably handed to the retry
 * path; only then may its source offset be committed. One batch per stream is in flight at a time,
 * so a stream's events reach it in the order they were consumed.
 */
export class StreamDispatcher {
  private readonly queues = new Map<string, StreamQueue>();
  /** Per sink type with a `concurrency` limit: its calls in flight and the streams waiting. */
  private readonly lanes = new Map<string, SinkLane<StreamQueue>>();
  /** Running totals for progress logs (Prometheus has the same, labelled). */
  readonly totals = { submitted: 0, delivered: 0, handedOff: 0 };

  constructor(private readonly options: DispatcherOptions) {}

  submit(stream: EventStream, delivery: Delivery): Promise<void> {
    this.totals.submitted++;
    return new Promise((done, failed) => {
      let queue = this.queues.get(stream.id);
      if (!queue) {
        queue = { stream, pending: [], flushing: false };
        this.queues.set(stream.id, queue);
      }
      queue.stream = stream; // the newest configuration wins
      queue.pending.push({ ...delivery, done, failed });
      if (queue.flushing) this.setAsideLater(queue);
      const { maxEvents } = this.options.sinks.definition(stream.type).limits;
      if (queue.pending.length >= maxEvents && !this.options.guard.isOpen(stream.id)) this.flush(queue);
      else this.flushLater(queue);
    });
  }

  /**
   * After the linger; an open circuit's deliveries only go to a retry tier, where they wait seconds
   * anyway, so they gather for longer and take fewer writes from the process healthy streams share.
   */
  private flushLater(queue: StreamQueue): void {
    const open = this.options.guard.isOpen(queue.stream.id);
    queue.timer ??= setTimeout(
      () => this.flush(queue),
      open ? OPEN_CIRCUIT_LINGER_MS : this.options.lingerMs,
    );
  }

  private flush(queue: StreamQueue): void {
    clearTimeout(queue.timer);
    queue.timer = undefined;
    if (queue.flushing || queue.pending.length === 0) return;
    const { maxEvents, concurrency } = this.options.sinks.definition(queue.stream.type).limits;
    // An open circuit calls the destination with one probe event at most: hand the whole backlog
    // off in one write rather than sink-sized batches one after another, which would hold up the
    // partitions this stream shares with healthy ones. It takes none of the sink's calls.
    if (this.options.guard.isOpen(queue.stream.id)) {
      this.send(queue, queue.pending.length);
      return;
    }
    if (concurrency === undefined) {
      this.send(queue, maxEvents);
      return;
    }
    const lane = this.lane(queue.stream.type, concurrency);
    // The batch is cut when the call can start, so it fills while it waits.
    if (lane.isWaiting(queue) || !lane.tryAcquire()) {
      lane.wait(queue, queue.pending.length >= maxEvents);
      return;
    }
    this.sendInLane(queue, maxEvents, lane);
  }

  private sendInLane(queue: StreamQueue, maxEvents: number, lane: SinkLane<StreamQueue>): void {
    this.send(queue, maxEvents, () => {
      for (let next = lane.release(); next; next = lane.release()) {
        // Sent meanwhile (its circuit opened, and an open circuit hands off without a call): the
        // slot goes on to the next stream.
        if (next.flushing || next.pending.length === 0) continue;
        if (this.options.guard.isOpen(next.stream.id)) {
          this.send(next, next.pending.length);
          continue;
        }
        this.sendInLane(next, maxEvents, lane);
        return;
      }
    });
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

  /** Hands every delivery waiting behind the stream's call in flight to the retry path (see SET_ASIDE_AFTER_MS). */
  private setAside(queue: StreamQueue): void {
    queue.setAsideTimer = undefined;
    if (!queue.flushing || queue.pending.length === 0) return;
    clearTimeout(queue.timer);
    queue.timer = undefined;
    const { stream } = queue;
    const batch = queue.pending.splice(0);
    const failures: FailedDelivery[] = batch.map((p) => ({
      source: p.source,
      streamId: stream.id,
      projectId: stream.projectId,
      sinkType: stream.type,
      result: {
        outcome: "retryable",
        code: "destination-slow",
        message: `waited over ${SET_ASIDE_AFTER_MS} ms behind the stream's call in flight`,
      },
    }));
    this.options.metrics.setAside.inc({ sink: stream.type }, batch.length);
    this.options.logger.warn(
      { streamId: stream.id, projectId: stream.projectId, sink: stream.type, setAside: batch.length },
      "destination slow: deliveries waiting behind its call handed to the retry path",
    );
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

  /** Sends up to `size` of the queue's deliveries; `ended` runs when the sink's call is over. */
  private send(queue: StreamQueue, size: number, ended?: () => void): void {
    const batch = queue.pending.splice(0, size);
    queue.flushing = true;
    if (queue.pending.length > 0) this.setAsideLater(queue);
    this.deliver(queue.stream, batch)
      .then(
        () => {
          for (const p of batch) p.done();
        },
        (error) => {
          for (const p of batch) p.failed(error);
        },
      )
      .finally(() => {
        queue.flushing = false;
        clearTimeout(queue.setAsideTimer);
        queue.setAsideTimer = undefined;
        ended?.();
        if (queue.pending.length === 0) {
          if (!queue.timer) this.queues.delete(queue.stream.id);
        } else if (this.options.guard.isOpen(queue.stream.id)) this.flushLater(queue);
        else this.flush(queue);
      });
  }

  private async deliver(stream: EventStream, batch: Pending[]): Promise<void> {
    const { metrics, logger, guard, writer, log = NO_DELIVERY_LOG } = this.options;
    const started = performance.now();
    const results = await guard.deliver(
      stream,
      batch.map((p) => p.event),
    );
    const latencyMs = performance.now() - started;
    const failures: FailedDelivery[] = [];
    const now = Date.now();
    batch.forEach((p, i) => {
      const result = results[i] as DeliveryResult;
      if (result.outcome === "delivered") {
        this.totals.delivered++;
        metrics.endToEndLatency.observe((now - p.event.timestamp.getTime()) / 1000);
        log.delivered(stream, p.event, 1, latencyMs);
        return;
      }
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
      const { deadLettered } = await writer.handOff(failures);
      if (deadLettered > 0) metrics.deadLettered.inc({ reason: "permanent-failure" }, deadLettered);
      this.totals.handedOff += failures.length;
    } else {
      logger.debug({ streamId: stream.id, sink: stream.type, events: batch.length }, "batch delivered");
    }
  }

  /** Deliveries submitted and not yet settled. */
  get pending(): number {
    return this.totals.submitted - this.totals.delivered - this.totals.handedOff;
  }

  /** Per sink type with a concurrency limit: calls in flight and streams waiting for one. */
  get sinkCalls(): Record<string, { inFlight: number; waiting: number }> {
    return Object.fromEntries([...this.lanes].map(([type, lane]) => [type, lane.load]));
  }

  /** Sends every partly filled batch now (used when stopping). */
  flushAll(): void {
    for (const queue of this.queues.values()) this.flush(queue);
  }
}
