import type { Admin } from "kafkajs";
import { createMissingTopics } from "../kafka/create-missing-topics";

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
  const created = await createMissingTopics(admin, [
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
  ]);
  return created.length > 0;
}
