import type { EventStream } from "../../src/streams/event-stream";

/** Streams whose buckets are kept: a bound, however many streams have a limit. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  rate: number;
  tokens: number;
  at: number;
}

/**
 * Each stream's `rateLimit` as a token bucket of one second's worth: every path to a destination
 * (live, retries, catch-ups) takes its events from it, so together they never go past the limit.
 * Nothing here waits: a caller asks how many it may send now, or how long until it may send more.
 */
export class StreamRateLimits {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = performance.now.bind(performance)) {}

  /** Events the stream may send now (Infinity without a limit). */
  available(stream: EventStream): number {
    const bucket = this.bucket(stream);
    return bucket ? Math.floor(bucket.tokens) : Number.POSITIVE_INFINITY;
  }

  /** Takes up to `wanted` events' worth; returns how many it may send. */
  take(stream: EventStream, wanted: number): number {
    const bucket = this.bucket(stream);
    if (!bucket) return wanted;
    const granted = Math.min(wanted, Math.floor(bucket.tokens));
    bucket.tokens -= granted;
    return granted;
  }

  /** How long until `wanted` events (at most a second's worth) may go. */
  waitMs(stream: EventStream, wanted: number): number {
    const bucket = this.bucket(stream);
    if (!bucket) return 0;
    const missing = Math.min(wanted, bucket.rate) - bucket.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing / bucket.rate) * 1000);
  }

  private bucket(stream: EventStream): Bucket | undefined {
    const rate = stream.rateLimit;
    if (rate === undefined) {
      this.buckets.delete(stream.id);
      return undefined;
    }
    const now = this.now();
    let bucket = this.buckets.get(stream.id);
    if (!bucket || bucket.rate !== rate) {
      // A new or changed limit starts with a full second's worth.
      bucket = { rate, tokens: rate, at: now };
      this.buckets.delete(stream.id);
      this.buckets.set(stream.id, bucket);
      if (this.buckets.size > MAX_BUCKETS) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      return bucket;
    }
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    return bucket;
  }
}
