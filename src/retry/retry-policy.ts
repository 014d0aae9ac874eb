import { type Jitter, jitteredDelay, type RetryTier } from "./ladder";

export interface TierTopic extends RetryTier {
  topic: string;
}

/** Where failed deliveries go and how long they wait: the ladder's topics and the dead-letter topic. */
export interface RetryPolicy {
  tiers: readonly TierTopic[];
  deadLetter: string;
  /** Where a paused stream's retry records wait for its resume (see SystemTopics.parked). */
  parked: string;
  jitter: Jitter;
  /**
   * A misconfigured destination (AccessDenied, NotFound) needs a person to fix it: hammering it at
   * the short steps only burns the ladder. Its first failure starts at this step instead (clamped
   * to the last one).
   */
  misconfigurationTier: number;
}

export type Placement =
  | { kind: "tier"; tier: TierTopic; dueAt: number }
  | { kind: "dead-letter"; reason: "permanent-failure" | "retries-exhausted" };

/**
 * Where a failure goes next. `fromTier` is the step the failed attempt came from (undefined for the
 * main connector).
 *
 * A destination's Retry-After only ever raises the due time, and it is the tenant's number: it is
 * used only when finite and positive, and it never makes a record wait in a tier longer than that
 * tier's delay. A record waiting longer would hold up every record behind it in the tier's
 * partition, other tenants' included. A longer wait goes to the first later step whose delay
 * covers it, and at most to the last step (so no wait is ever beyond the ladder, nor any timer).
 */
export function placeFailure(
  policy: RetryPolicy,
  failure: { permanent: boolean; misconfiguration?: boolean; retryAfterMs?: number; throttled?: boolean },
  fromTier: number | undefined,
  now: number,
  random: () => number = Math.random,
): Placement {
  if (failure.permanent) return { kind: "dead-letter", reason: "permanent-failure" };
  let next = fromTier === undefined ? 0 : fromTier + 1;
  if (fromTier === undefined && failure.misconfiguration)
    next = Math.min(policy.misconfigurationTier, policy.tiers.length - 1);
  // Throttling backs off step by step like a failure, but stays on the last step: a destination
  // that asks us to slow down is not failing, and its events are never dead-lettered for it.
  if (failure.throttled) next = Math.min(next, policy.tiers.length - 1);
  const tier = policy.tiers[next];
  if (!tier) return { kind: "dead-letter", reason: "retries-exhausted" };
  const jittered = jitteredDelay(tier, policy.jitter, random);
  const asked = failure.retryAfterMs;
  if (asked === undefined || !Number.isFinite(asked) || asked <= jittered) {
    return { kind: "tier", tier, dueAt: now + jittered };
  }
  const last = policy.tiers[policy.tiers.length - 1] as TierTopic;
  const fitting = policy.tiers.find((t) => t.index >= tier.index && t.delayMs >= asked) ?? last;
  return { kind: "tier", tier: fitting, dueAt: now + Math.min(asked, fitting.delayMs) };
}
