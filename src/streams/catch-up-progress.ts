/**
 * How far a connector's work on a stream's events got in one topic, kept in the config topic under
 * a key of its own (one per stream, kind and topic: the topics' partitions may be owned by
 * different connector instances), so an instance that takes the partition over goes on from there.
 * The work is a catch-up, of a resumed stream's backlog (`resume@<revision>`: a later revision
 * makes it stale) or a replay (`replay:<id>`), or the count of a paused stream's backlog as its
 * events arrive (`held@<pausedAt>`: `found` events, the oldest written at `oldestAt`).
 */
export interface CatchUpProgress {
  streamId: string;
  topic: string;
  job: string;
  /** The next offset to read; the catch-up is done at its end offset. */
  next: string;
  /** The stream's events found so far (its project's, matching its filter and the job's window). */
  found: number;
  /** Of those, delivered; the others went the retry path. */
  delivered: number;
  done: boolean;
  at: string;
  /** Held counts: when the oldest event counted was written (ms since the epoch). */
  oldestAt?: number;
}

export type CatchUpKind = "resume" | "replay" | "held";

export const resumeJob = (revision: number) => `resume@${revision}`;
export const replayJob = (replayId: string) => `replay:${replayId}`;
/** A paused stream's held count: one per pause (its time), a later pause counts afresh. */
export const heldJob = (pausedAt: string) => `held@${pausedAt}`;
const kindOf = (job: string): CatchUpKind =>
  job.startsWith("replay:") ? "replay" : job.startsWith("held@") ? "held" : "resume";

const KEY_PREFIX = "catch-up/";

export function catchUpKey(streamId: string, job: string, topic: string): string {
  return `${KEY_PREFIX}${streamId}/${kindOf(job)}/${topic}`;
}

/** The parts of a catch-up key (topic names have no "/"), or undefined for any other key. */
export function catchUpKeyParts(key: string): { streamId: string; slot: string } | undefined {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  const rest = key.slice(KEY_PREFIX.length);
  const slash = rest.indexOf("/");
  return slash > 0 ? { streamId: rest.slice(0, slash), slot: rest.slice(slash + 1) } : undefined;
}

/** Where a progress record sits among its stream's: its kind and topic. */
export const progressSlot = (p: Pick<CatchUpProgress, "job" | "topic">) => `${kindOf(p.job)}/${p.topic}`;

export function parseCatchUpProgress(value: Buffer | string, streamId: string): CatchUpProgress {
  const p = JSON.parse(value.toString()) as Partial<CatchUpProgress>;
  if (
    p.streamId !== streamId ||
    typeof p.topic !== "string" ||
    typeof p.job !== "string" ||
    typeof p.next !== "string"
  ) {
    throw new Error("not a catch-up progress record");
  }
  return {
    streamId,
    topic: p.topic,
    job: p.job,
    next: p.next,
    found: Number(p.found ?? 0),
    delivered: Number(p.delivered ?? 0),
    done: p.done === true,
    at: String(p.at),
    ...(typeof p.oldestAt === "number" ? { oldestAt: p.oldestAt } : {}),
  };
}
