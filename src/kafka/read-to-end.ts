import { randomUUID } from "node:crypto";
import type { Kafka, KafkaMessage } from "kafkajs";

/**
 * Reads a whole topic, from the beginning to the end offsets it had when called, then stops. Used
 * for the dead-letter and redrive topics, which are small; nothing is committed (a throwaway group).
 */
export async function readToEnd(
  kafka: Kafka,
  topic: string,
  onMessage: (partition: number, message: KafkaMessage) => void,
  timeoutMs = 30_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; offset: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const remaining = new Map(
    ends.filter((e) => BigInt(e.offset) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.offset)]),
  );
  if (remaining.size === 0) return;
  const consumer = kafka.consumer({ groupId: `eventstreams-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = remaining.get(batch.partition);
        if (end === undefined) return;
        for (const m of batch.messages) if (BigInt(m.offset) < end) onMessage(batch.partition, m);
        // Compaction and transaction markers leave gaps: the batch's last offset says how far we are.
        if (BigInt(batch.lastOffset()) + 1n >= end) {
          remaining.delete(batch.partition);
          if (remaining.size === 0) finish();
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
}
