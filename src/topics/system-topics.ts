import { DELIVERY_LOG_RETENTION_MS } from "../deliveries/delivery-log";
import { createMissingTopics } from "../kafka/create-missing-topics";

/**
 * Topics the product itself owns, beside the domain topics: stream configuration (compacted), the
 * retry tiers, the dead-letter topic, redrive markers and stream health (both compacted). The same
 * prefix as the domain topics applies.
 */
export interface SystemTopics {
  config: string;
  deadLetter: string;
  /** Compacted, keyed by dead-letter partition/offset: which dead letters were redriven already. */
  redrive: string;
  /** Compacted, keyed by stream id: the connector's view of each stream's health. */
  health: string;
  /** Keyed by stream id, kept DELIVERY_LOG_RETENTION_MS: recent delivery attempts, for customers. */
  deliveries: string;
  /**
   * Keyed by project id, like the domain topics: retry records of paused streams, written once and
   * read again by the stream's catch-up on resume (its backlog's first part: they are older).
   */
  parked: string;
  /** The topic of one step of the retry ladder, by its name ("5s" → eventstreams.retry.5s). */
  retryTier(name: string): string;
}

export function systemTopics(prefix: string): SystemTopics {
  const name = (base: string) => (prefix ? `${prefix}.${base}` : base);
  return {
    config: name("eventstreams.config"),
    deadLetter: name("eventstreams.dlq"),
    redrive: name("eventstreams.redrive"),
    health: name("eventstreams.health"),
    deliveries: name("eventstreams.deliveries"),
    parked: name("eventstreams.parked"),
    retryTier: (tier) => name(`eventstreams.retry.${tier}`),
  };
}

const TWO_WEEKS_MS = String(14 * 24 * 60 * 60 * 1000);

/**
 * Creates the retry tier, dead-letter, parked, redrive, health and deliveries topics if missing
 * (idempotent). Retry and dead-letter topics are keyed by stream id, so one stream's retries stay in
 * order; they and the parked topic are kept two weeks, longer than the retry ladder plus a weekend,
 * and than a paused stream's backlog (the domain topics' retention).
 */
export async function ensureFailureTopics(
  admin: import("kafkajs").Admin,
  topics: SystemTopics,
  partitions = 6,
  tierNames: readonly string[] = [],
): Promise<void> {
  const wanted = [
    ...[...tierNames.map((t) => topics.retryTier(t)), topics.deadLetter, topics.parked].map((topic) => ({
      topic,
      configEntries: [{ name: "retention.ms", value: TWO_WEEKS_MS }],
    })),
    {
      topic: topics.deliveries,
      configEntries: [{ name: "retention.ms", value: String(DELIVERY_LOG_RETENTION_MS) }],
    },
    ...[topics.redrive, topics.health].map((topic) => ({
      topic,
      configEntries: [{ name: "cleanup.policy", value: "compact" }],
    })),
  ];
  await createMissingTopics(
    admin,
    wanted.map((t) => ({ ...t, numPartitions: partitions })),
  );
}
