/**
 * Counts of a stream's deliveries over a stretch, written to the deliveries log by each connector
 * instance that delivered to it (every TALLY_INTERVAL_MS). Tallies add up across instances and
 * stretches: the API sums them into last-hour and last-day figures.
 */
export interface DeliveryTally {
  kind: "tally";
  streamId: string;
  /** Start of the stretch (ms since the epoch). */
  from: number;
  delivered: number;
  /** Attempts the destination failed (an open circuit's deferrals are not attempts). */
  failed: number;
  /** Delivered events per latency bucket (LATENCY_BOUNDS_MS; the last bucket is beyond them). */
  latency: number[];
  /** Deliveries the destination throttled (or the stream's rate limit held back): not failures. */
  throttled: number;
  /** The stream's calls-in-flight limit on this instance at the stretch's end, as it adapted. */
  inFlightLimit?: number;
}

export const TALLY_INTERVAL_MS = 10_000;

/** Upper bounds of the latency buckets, in ms (the call's latency, as the log records it). */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000] as const;

export function latencyBucket(ms: number): number {
  const index = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return index < 0 ? LATENCY_BOUNDS_MS.length : index;
}

/** The bucket bound at or below which `share` (0..1) of the counted latencies fall; null if none. */
export function latencyPercentile(buckets: readonly number[], share: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i] ?? 0;
    if (seen >= total * share) return LATENCY_BOUNDS_MS[i] ?? Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

export function parseDeliveryTally(value: Buffer | string): DeliveryTally | undefined {
  try {
    const t = JSON.parse(value.toString()) as Partial<DeliveryTally>;
    if (
      t.kind !== "tally" ||
      typeof t.streamId !== "string" ||
      typeof t.from !== "number" ||
      typeof t.delivered !== "number" ||
      typeof t.failed !== "number" ||
      !Array.isArray(t.latency) ||
      t.latency.length !== LATENCY_BOUNDS_MS.length + 1
    ) {
      return undefined;
    }
    return {
      kind: "tally",
      streamId: t.streamId,
      from: t.from,
      delivered: t.delivered,
      failed: t.failed,
      latency: t.latency.map(Number),
      throttled: typeof t.throttled === "number" ? t.throttled : 0,
      ...(typeof t.inFlightLimit === "number" ? { inFlightLimit: t.inFlightLimit } : {}),
    };
  } catch {
    return undefined;
  }
}
