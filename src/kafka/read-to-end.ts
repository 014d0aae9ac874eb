import { randomUUID } from "node:crypto";
import type { Kafka, KafkaMessage } from "kafkajs";
import { waitFor } from "../util/wait-for";

/** Where reading a partition goes on from: the next offset, by partition. */
export type Positions = Map<number, bigint>;

export interface ReadOptions {
  /** Go on from here (an earlier read's `next`): partitions it does not name are not read again. */
  from?: Positions;
  /** Stop after this many records (the scan's bound); `next` then says where to go on. */
  maxRecords?: number;
  timeoutMs?: number;
}

/**
 * Reads a topic from the beginning (or `from`) to the end offsets it had when called, then stops.
 * Used for the dead-letter and redrive topics; nothing is committed (a throwaway group). With
 * `maxRecords`, it stops early and returns the positions to go on from; `next` is undefined when
 * every partition was read to its end.
 */
export async function readToEnd(
  kafka: Kafka,
  topic: string,
  /** Returning false stops the read after this record (as maxRecords does). */
  onMessage: (partition: number, message: KafkaMessage) => unknown,
  options: ReadOptions = {},
): Promise<{ next?: Positions }> {
  const { from, maxRecords = Number.POSITIVE_INFINITY, timeoutMs = 30_000 } = options;
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; offset: string; low: string }[];
  try {
    // A topic just created may not have taken up its leader yet: ask again until it has.
    ends = await waitFor(() => admin.fetchTopicOffsets(topic), {
      timeoutMs,
      intervalMs: 100,
      description: `the end offsets of ${topic}`,
    });
  } finally {
    await admin.disconnect();
  }
  const start = new Map<number, bigint>();
  const remaining = new Map<number, bigint>();
  for (const e of ends) {
    const low = BigInt(e.low);
    // With `from`, a partition it does not name was read to its end before.
    const at = from ? from.get(e.partition) : low;
    if (at === undefined) continue;
    const begin = at < low ? low : at;
    start.set(e.partition, begin);
    if (begin < BigInt(e.offset)) remaining.set(e.partition, BigInt(e.offset));
  }
  if (remaining.size === 0) return {};
  const reached = new Map(start);
  let read = 0;
  let stopped = false;
  const consumer = kafka.consumer({ groupId: `eventstreams-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    if (from) {
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, offset] of start)
          consumer.seek({ topic, partition, offset: offset.toString() });
      });
    }
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = remaining.get(batch.partition);
        const begin = start.get(batch.partition) ?? 0n;
        if (end === undefined || stopped) return;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset < begin || offset >= end) continue;
          const more = onMessage(batch.partition, m);
          reached.set(batch.partition, offset + 1n);
          if (more === false || ++read >= maxRecords) {
            stopped = true;
            finish();
            return;
          }
        }
        // Compaction and transaction markers leave gaps: the batch's last offset says how far we are.
        const last = BigInt(batch.lastOffset()) + 1n;
        if (last > (reached.get(batch.partition) ?? 0n)) reached.set(batch.partition, last);
        if (last >= end) {
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
  if (!stopped) return {};
  const next: Positions = new Map();
  for (const [partition, end] of remaining) {
    const at = reached.get(partition) ?? 0n;
    if (at < end) next.set(partition, at);
  }
  return next.size > 0 ? { next } : {};
}
