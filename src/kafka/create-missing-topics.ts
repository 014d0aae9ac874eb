import type { Admin, ITopicConfig } from "kafkajs";
import { waitFor } from "../util/wait-for";

/**
 * Creates the topics that do not exist yet and waits until every partition of each has a leader.
 * Idempotent: another process creating one in between is the outcome we wanted. The wait is our
 * own poll rather than kafkajs's `waitForLeaders`, which gives up with "This server does not host
 * this topic-partition" when a young broker is slow to publish new metadata.
 */
export async function createMissingTopics(
  admin: Admin,
  topics: readonly ITopicConfig[],
  timeoutMs = 30_000,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    try {
      await admin.createTopics({ topics: [...missing], waitForLeaders: false });
    } catch (error) {
      const text = error instanceof Error ? `${error.message} ${JSON.stringify(error)}` : String(error);
      if (!/already exists|TOPIC_ALREADY_EXISTS/i.test(text)) throw error;
    }
  }
  const names = topics.map((t) => t.topic);
  await waitFor(
    async () => {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: names });
      return (
        described.length === names.length &&
        described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      );
    },
    { timeoutMs, intervalMs: 100, description: `leaders for ${names.join(", ")}` },
  );
  return missing.map((t) => t.topic);
}
