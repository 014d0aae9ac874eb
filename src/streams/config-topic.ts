import type { Admin } from "kafkajs";

export const DEFAULT_CONFIG_TOPIC = "eventstreams.config";

export interface ConfigTopicSettings {
  topic: string;
  /** -1 lets the broker decide (its default.replication.factor). */
  replicationFactor: number;
  /** Unset keeps the broker default; with acks=all, how many replicas must hold a write. */
  minInsyncReplicas?: number;
}

/**
 * Creates the compacted configuration topic if it is missing (idempotent). One partition: the
 * topic is tiny, and a single log keeps every reader's view in the same order.
 */
export async function ensureConfigTopic(admin: Admin, settings: ConfigTopicSettings): Promise<boolean> {
  if ((await admin.listTopics()).includes(settings.topic)) return false;
  try {
    return await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: settings.topic,
          numPartitions: 1,
          replicationFactor: settings.replicationFactor,
          configEntries: [
            { name: "cleanup.policy", value: "compact" },
            // Tombstones must outlive the slowest reader's catch-up, or a deleted stream could reappear.
            { name: "delete.retention.ms", value: String(24 * 60 * 60 * 1000) },
            ...(settings.minInsyncReplicas === undefined
              ? []
              : [{ name: "min.insync.replicas", value: String(settings.minInsyncReplicas) }]),
          ],
        },
      ],
    });
  } catch (error) {
    // Another process created it in between: the outcome we wanted.
    const text = error instanceof Error ? `${error.message} ${JSON.stringify(error)}` : String(error);
    if (/already exists|TOPIC_ALREADY_EXISTS/i.test(text)) return false;
    throw error;
  }
}
