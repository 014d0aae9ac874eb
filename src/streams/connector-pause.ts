import type { EventStream, TopicOffsets } from "./event-stream";

/**
 * A connector's pause of a stream (destination gone, or failing for too long), kept in the config
 * topic beside the stream's own record, under a key of its own.
 *
 * The connector never writes the stream's record: the API is its one writer, and a connector's
 * rewrite from a view a moment old would undo a concurrent API change or bring a deleted stream
 * back. A pause names the revision it pauses instead, and holds only while the stream is still at
 * that revision. So the effective stream depends on the latest record of each key alone, never on
 * their order, which is what keeps it true through log compaction (that keeps the latest per key).
 */
export interface ConnectorPause {
  streamId: string;
  /** The stream revision this pause applies to; any later revision of the stream ends it. */
  revision: number;
  pausedAt: string;
  reason: string;
  /** Where the stream's events stay meanwhile (the stream's `backlog.from`). */
  backlogFrom?: TopicOffsets;
}

/** Stream ids are UUIDs, which have no "/": a pause key can never be a stream's key. */
const KEY_PREFIX = "connector-pause/";

export function connectorPauseKey(streamId: string): string {
  return `${KEY_PREFIX}${streamId}`;
}

/** The stream id a config-topic key pauses, or undefined when the key is a stream's own. */
export function pausedStreamOf(key: string): string | undefined {
  return key.startsWith(KEY_PREFIX) ? key.slice(KEY_PREFIX.length) : undefined;
}

export function serializeConnectorPause(pause: ConnectorPause): string {
  return JSON.stringify(pause);
}

export function parseConnectorPause(value: Buffer | string, streamId: string): ConnectorPause {
  const parsed = JSON.parse(value.toString()) as Partial<ConnectorPause>;
  if (
    parsed.streamId !== streamId ||
    typeof parsed.revision !== "number" ||
    typeof parsed.pausedAt !== "string" ||
    typeof parsed.reason !== "string"
  ) {
    throw new Error("not a connector pause record");
  }
  return {
    streamId,
    revision: parsed.revision,
    pausedAt: parsed.pausedAt,
    reason: parsed.reason,
    ...(parsed.backlogFrom ? { backlogFrom: parsed.backlogFrom } : {}),
  };
}

/** The stream as every reader sees it: paused when a connector paused the revision it is at. */
export function effectiveStream(
  stored: EventStream | undefined,
  pause: ConnectorPause | undefined,
): EventStream | undefined {
  if (!stored || !pause || pause.revision !== stored.revision || stored.status === "paused") return stored;
  return {
    ...stored,
    status: "paused",
    pausedAt: pause.pausedAt,
    pausedReason: pause.reason,
    ...(pause.backlogFrom ? { backlog: { from: pause.backlogFrom } } : {}),
  };
}
