import type { Admin, Kafka } from "kafkajs";
import { partitionForKey } from "../kafka/partition-for-key";
import { readToEnd } from "../kafka/read-to-end";
import type { TopicOffsets } from "../streams/event-stream";

/**
 * Where a project's events stand in each domain topic: its partition (records are keyed by
 * project, partitioned as kafkajs's Java-compatible default does) and an offset there, either the
 * connector group's committed offset (`committed`: everything before it was handled; the
 * partition's first offset when the group never committed), the first record at or after a time
 * (`time`, from the broker's time index), or the end (`end`).
 */
export async function projectPositions(
  admin: Admin,
  topics: readonly string[],
  projectId: string,
  at: { committed: string } | { time: number } | "end",
): Promise<TopicOffsets> {
  // A topic not created yet holds no events: it has no position (its catch-up starts at 0).
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  if (present.length === 0) return {};
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...present] });
  const committed =
    typeof at === "object" && "committed" in at
      ? await admin.fetchOffsets({ groupId: at.committed, topics: [...present] })
      : undefined;
  const positions: TopicOffsets = {};
  for (const topic of present) {
    const partitions = metadata.find((m) => m.name === topic)?.partitions;
    if (!partitions?.length) throw new Error(`the domain topic ${topic} has no partitions`);
    const partition = partitionForKey(topic, partitions, projectId);
    const offsets = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
    const mark = committed
      ?.find((c) => c.topic === topic)
      ?.partitions.find((p) => p.partition === partition)?.offset;
    let offset: string | undefined;
    if (at === "end") offset = offsets?.high;
    else if ("time" in at) {
      // The first offset whose record time is at or after it; the end when there is none.
      const byTime = (await admin.fetchTopicOffsetsByTimestamp(topic, at.time)).find(
        (o) => o.partition === partition,
      );
      offset = byTime && Number(byTime.offset) >= 0 ? byTime.offset : offsets?.high;
    } else offset = mark !== undefined && Number(mark) >= 0 ? mark : offsets?.low;
    positions[topic] = { partition, offset: offset ?? "0" };
  }
  return positions;
}

/**
 * Where a paused stream's backlog starts (`committed`: the connector group's committed offsets)
 * or, on resume, ends (`end`), per domain topic, and in the parked topic (where the stream's retry
 * records wait meanwhile: only those parked after the pause, so its end both times).
 */
export async function backlogPositions(
  admin: Admin,
  topics: { domain: readonly string[]; parked: string },
  projectId: string,
  at: { committed: string } | "end",
): Promise<TopicOffsets> {
  return {
    ...(await projectPositions(admin, topics.domain, projectId, at)),
    ...(await projectPositions(admin, [topics.parked], projectId, "end")),
  };
}

/**
 * When the oldest event still kept in a project's partitions was written, counting only topics
 * whose retention has deleted records already (the others still hold everything): a replay from
 * earlier would miss events. Undefined when nothing was ever deleted.
 */
export async function oldestKeptTime(
  kafka: Kafka,
  admin: Admin,
  topics: readonly string[],
  projectId: string,
): Promise<number | undefined> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  if (present.length === 0) return undefined;
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...present] });
  let oldest: number | undefined;
  for (const topic of present) {
    const partitions = metadata.find((m) => m.name === topic)?.partitions ?? [];
    if (partitions.length === 0) continue;
    const partition = partitionForKey(topic, partitions, projectId);
    const offsets = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
    if (!offsets || Number(offsets.low) === 0 || offsets.low === offsets.high) continue;
    await readToEnd(
      kafka,
      topic,
      (_p, message) => {
        const at = Number(message.timestamp);
        oldest = oldest === undefined ? at : Math.max(oldest, at);
        return false;
      },
      { from: new Map([[partition, BigInt(offsets.low)]]), maxRecords: 1 },
    );
  }
  return oldest;
}
