import type { Kafka } from "kafkajs";
import { partitionForKey } from "../kafka/partition-for-key";
import { readToEnd } from "../kafka/read-to-end";
import { withAdmin } from "../kafka/with-admin";
import { type DeliveryLogEntry, parseDeliveryLogEntry } from "./delivery-log";

/** Log records one page request reads at most: its time and memory never grow with the topic. */
export const DELIVERY_LOG_SCAN_LIMIT = 5_000;

export interface DeliveryLogPage {
  /** Newest first. */
  entries: DeliveryLogEntry[];
  /** Where the next (older) page starts; undefined once the partition's oldest record was read. */
  cursor?: string;
}

export interface DeliveryLogQuery {
  streamId: string;
  outcome?: "failed" | "succeeded";
  limit: number;
  /** An earlier page's cursor: read only records older than it. */
  cursor?: string;
}

export class InvalidDeliveryCursorError extends Error {}

/**
 * A stream's recent attempts, newest first, from the one partition its key maps to: the records
 * just before the cursor (or the end), at most DELIVERY_LOG_SCAN_LIMIT of them per page. A page
 * may hold fewer than `limit` entries and still have a cursor (the stream shares its partition).
 */
export async function readDeliveryLog(
  kafka: Kafka,
  topic: string,
  query: DeliveryLogQuery,
): Promise<DeliveryLogPage> {
  const before = parseCursor(query.cursor);
  const { partition, low, high } = await withAdmin(kafka, async (admin) => {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    if (!metadata) throw new Error(`the deliveries log topic ${topic} does not exist`);
    const partition = partitionForKey(topic, metadata.partitions, query.streamId);
    const offsets = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
    return { partition, low: BigInt(offsets?.low ?? 0), high: BigInt(offsets?.high ?? 0) };
  });
  const end = before !== undefined && before < high ? before : high;
  const start = end - BigInt(DELIVERY_LOG_SCAN_LIMIT) > low ? end - BigInt(DELIVERY_LOG_SCAN_LIMIT) : low;
  const found: { offset: bigint; entry: DeliveryLogEntry }[] = [];
  if (start < end) {
    await readToEnd(
      kafka,
      topic,
      (_p, message) => {
        const offset = BigInt(message.offset);
        if (offset >= end) return false;
        const entry = message.value ? parseDeliveryLogEntry(message.value) : undefined;
        if (entry && entry.streamId === query.streamId && matches(entry, query.outcome))
          found.push({ offset, entry });
        return true;
      },
      { from: new Map([[partition, start]]) },
    );
  }
  found.reverse();
  const page = found.slice(0, query.limit);
  const more = found.length > query.limit;
  const oldest = page.at(-1);
  const cursor = more && oldest ? oldest.offset : start > low ? start : undefined;
  return { entries: page.map((f) => f.entry), cursor: cursor === undefined ? undefined : String(cursor) };
}

function matches(entry: DeliveryLogEntry, outcome: DeliveryLogQuery["outcome"]): boolean {
  if (outcome === "succeeded") return entry.outcome === "delivered";
  if (outcome === "failed") return entry.outcome !== "delivered";
  return true;
}

function parseCursor(cursor: string | undefined): bigint | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,19}$/.test(cursor)) {
    throw new InvalidDeliveryCursorError("is not a cursor from an earlier page: pass next_cursor as it came");
  }
  return BigInt(cursor);
}
