import { durationSetting } from "../settings/parse";

/**
 * The retry ladder: how long a failed delivery waits before each further attempt. Each step is a
 * Kafka topic of its own (`eventstreams.retry.5s`), so a record's wait is a property of where it
 * sits, and a consumer per tier only ever waits for records of roughly the same delay.
 */
export interface RetryTier {
  /** 0-based position on the ladder. */
  index: number;
  /** As written in the configuration and the topic name: "5s", "2m", "200ms". */
  name: string;
  delayMs: number;
}

export const DEFAULT_LADDER = "5s,30s,2m,10m,1h,6h";

/**
 * A record waits at most this long in one step: the retry topics keep records two weeks, and every
 * timer stays far below setTimeout's limit of about 24.8 days.
 */
const MAX_STEP_MS = 7 * 86_400_000;

/** "5s,30s,2m" → tiers; strictly increasing, at most 12 steps (each step is a consumer group). */
export function parseLadder(raw: string): RetryTier[] {
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new Error("the retry ladder needs at least one step, e.g. 5s,30s,2m");
  if (names.length > 12) throw new Error(`the retry ladder has ${names.length} steps: at most 12`);
  const tiers = names.map((name, index) => ({
    index,
    name,
    delayMs: durationSetting(`retry ladder step ${index + 1}`, name),
  }));
  tiers.forEach((t, i) => {
    if (t.delayMs > MAX_STEP_MS)
      throw new Error(`the retry ladder's step ${t.name} is longer than 7d, the longest a step may be`);
    const previous = tiers[i - 1];
    if (previous && t.delayMs <= previous.delayMs)
      throw new Error(`the retry ladder must increase: ${t.name} comes after ${previous.name}`);
  });
  return tiers;
}

export type Jitter = "full" | "none";

/**
 * Full jitter (uniform in [0, delay]) spreads a burst of failures of one outage over the whole
 * step instead of retrying them all at the same instant; "none" makes the schedule exact (tests).
 */
export function jitteredDelay(tier: RetryTier, jitter: Jitter, random: () => number = Math.random): number {
  return jitter === "full" ? Math.round(random() * tier.delayMs) : tier.delayMs;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
