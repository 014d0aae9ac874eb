/**
 * How far a resumed stream's catch-up got in one domain topic, kept in the config topic under a
 * key of its own (one per stream and topic: the topics' partitions may be owned by different
 * connector instances), so an instance that takes the partition over goes on from there. It
 * belongs to the revision that resumed the stream: a later revision makes it stale.
 */
export interface CatchUpProgress {
  streamId: string;
  topic: string;
  revision: number;
  /** The next offset to read; the catch-up is done at the backlog's `to`. */
  next: string;
  /** Events delivered (or handed to the retry path) so far. */
  delivered: number;
  done: boolean;
  at: string;
}

const KEY_PREFIX = "catch-up/";

export function catchUpKey(streamId: string, topic: string): string {
  return `${KEY_PREFIX}${streamId}/${topic}`;
}

/** The stream and topic a config-topic key holds the catch-up of (topic names have no "/"). */
export function catchUpKeyParts(key: string): { streamId: string; topic: string } | undefined {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  const rest = key.slice(KEY_PREFIX.length);
  const slash = rest.indexOf("/");
  return slash > 0 ? { streamId: rest.slice(0, slash), topic: rest.slice(slash + 1) } : undefined;
}

export function parseCatchUpProgress(
  value: Buffer | string,
  key: { streamId: string; topic: string },
): CatchUpProgress {
  const p = JSON.parse(value.toString()) as Partial<CatchUpProgress>;
  if (
    p.streamId !== key.streamId ||
    p.topic !== key.topic ||
    typeof p.revision !== "number" ||
    typeof p.next !== "string"
  ) {
    throw new Error("not a catch-up progress record");
  }
  return {
    streamId: key.streamId,
    topic: key.topic,
    revision: p.revision,
    next: p.next,
    delivered: Number(p.delivered ?? 0),
    done: p.done === true,
    at: String(p.at),
  };
}
