/**
 * How far a catch-up got in one domain topic, kept in the config topic under a key of its own (one
 * per stream, kind and topic: the topics' partitions may be owned by different connector
 * instances), so an instance that takes the partition over goes on from there. A catch-up is
 * either a resumed stream's backlog (`resume@<revision>`: a later revision makes it stale) or a
 * replay (`replay:<id>`).
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
}

export type CatchUpKind = "resume" | "replay";

export const resumeJob = (revision: number) => `resume@${revision}`;
export const replayJob = (replayId: string) => `replay:${replayId}`;
const kindOf = (job: string): CatchUpKind => (job.startsWith("replay:") ? "replay" : "resume");

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
  };
}
