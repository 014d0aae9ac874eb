import { defaultTopicPrefix } from "./domain-topics";

/**
 * Topics the product itself owns, beside the domain topics: stream configuration (compacted), the
 * retry path and the dead-letter topic. The same prefix as the domain topics applies.
 */
export interface SystemTopics {
  config: string;
  retry: string;
  deadLetter: string;
}

export function systemTopics(prefix: string = defaultTopicPrefix()): SystemTopics {
  const name = (base: string) => (prefix ? `${prefix}.${base}` : base);
  return {
    config: name("eventstreams.config"),
    retry: name("eventstreams.retry"),
    deadLetter: name("eventstreams.dlq"),
  };
}

/**
 * Creates the retry and dead-letter topics if missing (idempotent). Keyed by stream id, so one
 * stream's retries stay in order; kept two weeks, longer than the retry ladder plus a weekend.
 */
export async function ensureFailureTopics(
  admin: import("kafkajs").Admin,
  topics: SystemTopics,
  partitions = 6,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = [topics.retry, topics.deadLetter].filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: partitions,
        configEntries: [{ name: "retention.ms", value: String(14 * 24 * 60 * 60 * 1000) }],
      })),
    });
  } catch (error) {
    // Created by another process in between: the outcome we wanted.
    if (!/already exists/i.test(JSON.stringify(error) + String(error))) throw error;
  }
}
