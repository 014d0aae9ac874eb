import { type Admin, Partitioners } from "kafkajs";
import type { TopicOffsets } from "../streams/event-stream";

/**
 * Where a project's events stand in each domain topic: its partition (records are keyed by
 * project, partitioned as kafkajs's Java-compatible default does) and an offset there, either the
 * connector group's committed offset (`committed`: everything before it was handled; the
 * partition's first offset when the group never committed) or the end (`end`).
 */
export async function projectPositions(
  admin: Admin,
  topics: readonly string[],
  projectId: string,
  at: { committed: string } | "end",
): Promise<TopicOffsets> {
  const partitioner = Partitioners.DefaultPartitioner();
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
  const committed =
    at === "end" ? undefined : await admin.fetchOffsets({ groupId: at.committed, topics: [...topics] });
  const positions: TopicOffsets = {};
  for (const topic of topics) {
    const partitions = metadata.find((m) => m.name === topic)?.partitions;
    if (!partitions?.length) throw new Error(`the domain topic ${topic} has no partitions`);
    const partition = partitioner({
      topic,
      partitionMetadata: partitions,
      message: { key: projectId, value: null },
    });
    const offsets = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
    const mark = committed
      ?.find((c) => c.topic === topic)
      ?.partitions.find((p) => p.partition === partition)?.offset;
    const offset =
      at === "end" ? offsets?.high : mark !== undefined && Number(mark) >= 0 ? mark : offsets?.low;
    positions[topic] = { partition, offset: offset ?? "0" };
  }
  return positions;
}
