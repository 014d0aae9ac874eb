import { randomUUID } from "node:crypto";
import type { Consumer, Kafka } from "kafkajs";
import type { Logger } from "pino";
import { waitFor } from "../util/wait-for";
import { parseDeliveryLogEntry } from "./delivery-log";
import { LATENCY_BOUNDS_MS, latencyPercentile, parseDeliveryTally } from "./delivery-tally";

export interface DeliverySummary {
  lastHour: { delivered: number; failed: number; throttled: number };
  lastDay: { delivered: number; failed: number; throttled: number };
  /** The calls in flight the stream adapted to, as the latest tally of any instance says. */
  inFlightLimit: number | null;
  /** Of the last hour's deliveries, as bucket bounds (ms; 30000 means that or more); null when there were none. */
  latencyMs: { p50: number | null; p99: number | null };
  /** Successes are sampled once a second: this is at most a second early. */
  lastSuccessAt: string | null;
  lastFailure: { at: string; code: string | null; message: string | null } | null;
}

/** One minute of a stream's deliveries. */
export interface DeliveryMinute {
  at: string;
  delivered: number;
  failed: number;
}

interface Bucket {
  /** The minute (or hour) since the epoch it counts; a bucket of another one is stale. */
  stamp: number;
  delivered: number;
  failed: number;
  throttled: number;
  latency: number[];
}

interface StreamState {
  minutes: (Bucket | undefined)[];
  hours: (Bucket | undefined)[];
  lastSuccessAt: string | null;
  lastFailure: DeliverySummary["lastFailure"];
  limit?: { from: number; value: number };
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Each stream's last hour and day of deliveries, from the deliveries log's tallies and entries,
 * read from a day back and kept current (as HealthTable does for health). Only streams the
 * caller knows are kept, in 60 minute and 24 hour buckets each: memory grows with streams, never
 * with traffic. Best effort: figures for people, not decisions.
 */
export class DeliverySummaries {
  private readonly byStream = new Map<string, StreamState>();
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
    private readonly isKnown: (streamId: string) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let from: { partition: number; offset: string }[] = [];
    try {
      // A topic just created may not have taken up its leaders yet: ask again until it has.
      from = await waitFor(() => admin.fetchTopicOffsetsByTimestamp(this.topic, this.now() - DAY), {
        timeoutMs: 30_000,
        intervalMs: 200,
        description: `the offsets of a day ago in ${this.topic}`,
      });
    } catch (error) {
      // Figures for people: without the day's offsets they start from the topic's beginning.
      this.logger.warn({ topic: this.topic, err: error }, "delivery summaries read the whole deliveries log");
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({
      groupId: `eventstreams-summaries-${randomUUID()}`,
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (message.value) this.apply(message.value);
      },
    });
    // Nothing older than a day counts: start there rather than at the topic's beginning.
    for (const { partition, offset } of from) {
      if (Number(offset) >= 0) consumer.seek({ topic: this.topic, partition, offset });
    }
  }

  summary(streamId: string): DeliverySummary {
    const state = this.byStream.get(streamId);
    const minute = Math.floor(this.now() / MINUTE);
    const hour = Math.floor(this.now() / HOUR);
    const hourBuckets = (state?.minutes ?? []).filter((b): b is Bucket => !!b && b.stamp > minute - 60);
    const dayBuckets = (state?.hours ?? []).filter((b): b is Bucket => !!b && b.stamp > hour - 24);
    const latency = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
    for (const b of hourBuckets) addInto(latency, b.latency);
    const sum = (buckets: Bucket[]) => ({
      delivered: buckets.reduce((n, b) => n + b.delivered, 0),
      failed: buckets.reduce((n, b) => n + b.failed, 0),
      throttled: buckets.reduce((n, b) => n + b.throttled, 0),
    });
    return {
      lastHour: sum(hourBuckets),
      lastDay: sum(dayBuckets),
      inFlightLimit: state?.limit && state.limit.from > this.now() - HOUR ? state.limit.value : null,
      latencyMs: {
        p50: finite(latencyPercentile(latency, 0.5)),
        p99: finite(latencyPercentile(latency, 0.99)),
      },
      lastSuccessAt: state?.lastSuccessAt ?? null,
      lastFailure: state?.lastFailure ?? null,
    };
  }

  /** The last hour minute by minute, oldest first: 60 entries, the minute now last. */
  minutes(streamId: string): DeliveryMinute[] {
    const minute = Math.floor(this.now() / MINUTE);
    const byStamp = new Map<number, Bucket>();
    for (const b of this.byStream.get(streamId)?.minutes ?? []) if (b) byStamp.set(b.stamp, b);
    return Array.from({ length: 60 }, (_, i) => {
      const stamp = minute - 59 + i;
      const bucket = byStamp.get(stamp);
      return {
        at: new Date(stamp * MINUTE).toISOString(),
        delivered: bucket?.delivered ?? 0,
        failed: bucket?.failed ?? 0,
      };
    });
  }

  /** A deleted stream's figures go with it. */
  forget(streamId: string): void {
    this.byStream.delete(streamId);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private apply(value: Buffer): void {
    const tally = parseDeliveryTally(value);
    if (tally) {
      const state = this.stateOf(tally.streamId);
      if (!state) return;
      if (tally.inFlightLimit !== undefined && (!state.limit || tally.from >= state.limit.from))
        state.limit = { from: tally.from, value: tally.inFlightLimit };
      for (const [buckets, size, span] of [
        [state.minutes, 60, MINUTE],
        [state.hours, 24, HOUR],
      ] as const) {
        const stamp = Math.floor(tally.from / span);
        const at = stamp % size;
        let bucket = buckets[at];
        if (!bucket || bucket.stamp !== stamp) {
          if (bucket && bucket.stamp > stamp) continue; // older than what the slot holds now
          bucket = {
            stamp,
            delivered: 0,
            failed: 0,
            throttled: 0,
            latency: new Array<number>(tally.latency.length).fill(0),
          };
          buckets[at] = bucket;
        }
        bucket.delivered += tally.delivered;
        bucket.failed += tally.failed;
        bucket.throttled += tally.throttled;
        addInto(bucket.latency, tally.latency);
      }
      return;
    }
    const entry = parseDeliveryLogEntry(value);
    if (!entry) return;
    const state = this.stateOf(entry.streamId);
    if (!state) return;
    if (entry.outcome === "delivered") {
      if (!state.lastSuccessAt || entry.at > state.lastSuccessAt) state.lastSuccessAt = entry.at;
    } else if (entry.code !== "CircuitOpen" && (!state.lastFailure || entry.at > state.lastFailure.at)) {
      state.lastFailure = { at: entry.at, code: entry.code, message: entry.message };
    }
  }

  private stateOf(streamId: string): StreamState | undefined {
    let state = this.byStream.get(streamId);
    if (!state) {
      if (!this.isKnown(streamId)) {
        this.logger.debug({ streamId }, "deliveries of a stream this process does not know: skipped");
        return undefined;
      }
      state = { minutes: [], hours: [], lastSuccessAt: null, lastFailure: null };
      this.byStream.set(streamId, state);
    }
    return state;
  }
}

/** Past the last bound a percentile is "that or more": reported as the last bound. */
const finite = (n: number | null) =>
  n === null ? null : Math.min(n, LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] as number);

function addInto(sums: number[], counts: readonly number[]): void {
  for (let i = 0; i < counts.length; i++) sums[i] = (sums[i] ?? 0) + (counts[i] ?? 0);
}
