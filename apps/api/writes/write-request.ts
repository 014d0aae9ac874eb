import type { EventStream } from "../../../src/streams/event-stream";
import type { StreamInput } from "../stream-input";

/**
 * One stream write, as it goes through the writes topic (keyed by project): the stateless checks,
 * the destination's verification and the sealing of secrets were done where the request arrived;
 * what depends on the streams as they are now (revisions, the per-project limit, a replay under
 * way) is decided where the project's writes are applied, one after the other.
 */
export type WriteRequest = { kind: "request"; id: string; projectId: string } & (
  | { op: "create"; stream: EventStream }
  | { op: "update"; streamId: string; input: StreamInput; ifMatch?: number }
  | {
      op: "rotate-secret";
      streamId: string;
      ifMatch?: number;
      fresh: Record<string, unknown>;
      graceUntil: string;
    }
  | { op: "remove"; streamId: string; ifMatch?: number }
  | { op: "replay"; streamId: string; replay: { id?: string; since: number; until?: number; rate: number } }
  | { op: "cancel-replay"; streamId: string; replayId: string }
  /** Seals the stream's secrets anew under `toKey` (a KMS key id; "" for the current key). */
  | { op: "rewrap"; streamId: string; toKey: string }
);

/** What applying a request did, sent back to the instance that asked. */
export type WriteOutcome = { kind: "outcome"; id: string } & (
  | {
      ok: true;
      /** The stream as stored (secrets sealed); none after a delete. */
      stream?: EventStream;
      /** Where it is in the config topic: the asking instance's registry waits for it. */
      offset?: number;
      /** A replay request: whether it made a new replay. */
      created?: boolean;
    }
  | {
      ok: false;
      error: {
        status: number;
        code: string;
        message: string;
        field: string | null;
        details: Record<string, unknown>;
      };
    }
);

export type WriteBody = DistributiveOmit<WriteRequest, "kind" | "id">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Reads a record of the writes topic: a request, an outcome, or (anything else) undefined. */
export function parseWriteRecord(value: Buffer | null): WriteRequest | WriteOutcome | undefined {
  if (!value) return undefined;
  try {
    const record = JSON.parse(value.toString()) as { kind?: unknown; id?: unknown };
    if ((record.kind === "request" || record.kind === "outcome") && typeof record.id === "string")
      return record as WriteRequest | WriteOutcome;
  } catch {
    // Not ours: skipped.
  }
  return undefined;
}
