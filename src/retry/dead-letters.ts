import { randomUUID } from "node:crypto";
import { type IHeaders, type Kafka, type KafkaMessage, Partitioners } from "kafkajs";
import { type Positions, readToEnd } from "../kafka/read-to-end";
import type { SystemTopics } from "../topics/system-topics";
import { H, headerString } from "./failure-headers";
import type { ErrorEntry } from "./failure-record";
import type { TierTopic } from "./retry-policy";
import { parseHistory } from "./retry-record";

export interface DeadLetterFilter {
  projectId: string;
  streamId?: string;
  /** Only dead letters parked at or after this time (epoch ms). */
  since?: number;
}

export interface DeadLetter {
  /** "partition/offset" in the dead-letter topic: the key of its redrive marker. */
  position: string;
  parkedAt: string;
  streamId: string;
  projectId: string;
  reason: string;
  attempts: number;
  firstFailedAt: string | null;
  lastError: { sink: string | null; code: string | null; message: string | null };
  history: ErrorEntry[];
  /** Already put back on the first retry tier by an earlier redrive. */
  redriven: boolean;
  message: KafkaMessage;
}

/**
 * The dead letters of a project (optionally one stream, since a time), oldest first, each marked
 * with whether a redrive already took it. Reads the dead-letter topic and the redrive markers to
 * their ends: for operators and redrive. A tenant's request reads one bounded page instead
 * (listDeadLetterPage).
 */
export async function listDeadLetters(
  kafka: Kafka,
  topics: SystemTopics,
  filter: DeadLetterFilter,
): Promise<DeadLetter[]> {
  const redriven = await redriveMarkers(kafka, topics);
  const found: DeadLetter[] = [];
  await readToEnd(kafka, topics.deadLetter, (partition, m) => {
    const letter = matching(partition, m, filter, redriven);
    if (letter) found.push(letter);
  });
  return found.sort((a, b) => a.parkedAt.localeCompare(b.parkedAt));
}

export interface DeadLetterPage {
  letters: DeadLetter[];
  /** Where the next page starts; undefined once the whole topic has been scanned. */
  cursor?: string;
  /** True when the scan stopped (at its bound, or a full page) before the end of the topic. */
  truncated: boolean;
}

/** Records of the dead-letter topic (all projects) one page may scan, and letters it may return. */
export const PAGE_SCAN_LIMIT = 5_000;
export const PAGE_SIZE_LIMIT = 100;

/**
 * One page of a project's dead letters: a bounded scan of the dead-letter topic from `cursor` (a
 * string an earlier page returned), so neither a request's time nor its memory grows with the
 * topic. A page may hold fewer letters than `limit`, even none, and still have a cursor.
 */
export async function listDeadLetterPage(
  kafka: Kafka,
  topics: SystemTopics,
  filter: DeadLetterFilter,
  page: { cursor?: string; limit?: number; maxScan?: number } = {},
): Promise<DeadLetterPage> {
  const limit = Math.min(page.limit ?? 50, PAGE_SIZE_LIMIT);
  const from = page.cursor === undefined ? undefined : parseCursor(page.cursor);
  const redriven = await redriveMarkers(kafka, topics);
  const letters: DeadLetter[] = [];
  const { next } = await readToEnd(
    kafka,
    topics.deadLetter,
    (partition, m) => {
      const letter = matching(partition, m, filter, redriven);
      if (letter) letters.push(letter);
      return letters.length < limit;
    },
    { from, maxRecords: Math.min(page.maxScan ?? PAGE_SCAN_LIMIT, PAGE_SCAN_LIMIT) },
  );
  return {
    letters: letters.sort((a, b) => a.parkedAt.localeCompare(b.parkedAt)),
    ...(next ? { cursor: formatCursor(next) } : {}),
    truncated: next !== undefined,
  };
}

/** A cursor is the next offset of every partition still to scan, as `partition:offset` pairs. */
function formatCursor(next: Positions): string {
  return Buffer.from([...next].map(([p, o]) => `${p}:${o}`).join(",")).toString("base64url");
}

export class InvalidCursorError extends Error {
  constructor() {
    super("not a cursor this API gave out: pass the cursor of the previous page, or none for the first");
    this.name = "InvalidCursorError";
  }
}

function parseCursor(raw: string): Positions {
  if (raw.length > 2_048 || !/^[A-Za-z0-9_-]*$/.test(raw)) throw new InvalidCursorError();
  const positions: Positions = new Map();
  for (const pair of Buffer.from(raw, "base64url").toString().split(",")) {
    const match = /^(\d{1,5}):(\d{1,19})$/.exec(pair);
    if (!match) throw new InvalidCursorError();
    positions.set(Number(match[1]), BigInt(match[2] as string));
  }
  return positions;
}

async function redriveMarkers(kafka: Kafka, topics: SystemTopics): Promise<Set<string>> {
  const redriven = new Set<string>();
  await readToEnd(kafka, topics.redrive, (_p, m) => {
    if (m.key && m.value) redriven.add(m.key.toString());
  });
  return redriven;
}

function matching(
  partition: number,
  m: KafkaMessage,
  filter: DeadLetterFilter,
  redriven: ReadonlySet<string>,
): DeadLetter | undefined {
  const get = (name: string) => headerString(m.headers, name);
  if ((get(H.projectId) ?? "").toLowerCase() !== filter.projectId.toLowerCase()) return undefined;
  if (filter.streamId && get(H.streamId) !== filter.streamId) return undefined;
  if (filter.since !== undefined && Number(m.timestamp) < filter.since) return undefined;
  const position = `${partition}/${m.offset}`;
  return {
    position,
    parkedAt: new Date(Number(m.timestamp)).toISOString(),
    streamId: get(H.streamId) ?? "",
    projectId: filter.projectId,
    reason: get(H.reason) ?? "",
    attempts: Number(get(H.attempt) ?? 0),
    firstFailedAt: get(H.firstFailedAt) ?? null,
    lastError: {
      sink: get(H.errorSink) ?? null,
      code: get(H.errorCode) ?? null,
      message: get(H.errorMessage) ?? null,
    },
    history: parseHistory(get(H.errorHistory)),
    redriven: redriven.has(position),
    message: m,
  };
}

export interface RedriveResult {
  matched: number;
  alreadyRedriven: number;
  redriven: number;
}

/**
 * Puts dead letters back on the first retry tier, due now. Each record and its redrive marker are
 * written in one Kafka transaction, so a dead letter is redriven at most once however often the
 * command runs (or crashes): a second run skips what the first one took. A redriven delivery that
 * fails again is parked anew, as a new dead letter, which a later redrive may take.
 */
export async function redriveDeadLetters(
  kafka: Kafka,
  topics: SystemTopics,
  firstTier: TierTopic,
  filter: DeadLetterFilter,
  options: { dryRun?: boolean; onProgress?: (done: number, total: number) => void; chunk?: number } = {},
): Promise<RedriveResult> {
  const all = await listDeadLetters(kafka, topics, filter);
  // An undecodable source record has no stream: nothing to redrive it to.
  const todo = all.filter((d) => !d.redriven && d.streamId);
  const result = { matched: all.length, alreadyRedriven: all.filter((d) => d.redriven).length, redriven: 0 };
  if (options.dryRun || todo.length === 0) return { ...result, redriven: options.dryRun ? todo.length : 0 };
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId: `eventstreams-redrive-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    const chunk = options.chunk ?? 200;
    for (let i = 0; i < todo.length; i += chunk) {
      const slice = todo.slice(i, i + chunk);
      const due = new Date().toISOString();
      const tx = await producer.transaction();
      try {
        await tx.send({
          topic: firstTier.topic,
          messages: slice.map((d) => ({
            key: d.streamId,
            value: d.message.value,
            headers: redriveHeaders(d, firstTier, due),
          })),
        });
        await tx.send({
          topic: topics.redrive,
          messages: slice.map((d) => ({
            key: d.position,
            value: JSON.stringify({ at: due, streamId: d.streamId }),
          })),
        });
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => undefined);
        throw error;
      }
      result.redriven += slice.length;
      options.onProgress?.(result.redriven, todo.length);
    }
  } finally {
    await producer.disconnect();
  }
  return result;
}

/** Same history and source headers; on the first tier, due now, marked with where it came from. */
function redriveHeaders(d: DeadLetter, tier: TierTopic, due: string): IHeaders {
  const headers: IHeaders = { ...(d.message.headers ?? {}) };
  delete headers[H.reason];
  // The ladder starts over: the retry consumer treats this as a failure read from the first step.
  return { ...headers, [H.tier]: tier.name, [H.dueAt]: due, [H.redriveOf]: d.position };
}
