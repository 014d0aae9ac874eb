import type { IHeaders, Message, Producer } from "kafkajs";
import type { ErrorEntry, RetryState, SourceRecord } from "../../src/retry";
import { H, placeFailure, type RetryHeader, type RetryPolicy } from "../../src/retry";
import { nextTurn } from "../../src/util/wait-for";
import { type DeliveryLog, NO_DELIVERY_LOG } from "../delivery/delivery-log";
import type { DeliveryResult } from "../sinks";

export interface FailedDelivery {
  source: SourceRecord;
  streamId: string;
  projectId: string;
  sinkType: string;
  result: Exclude<DeliveryResult, { outcome: "delivered" }>;
  previous?: RetryState;
  /** For the deliveries log: the event, and how long its attempt took. */
  event?: { id: string; name: string };
  latencyMs?: number;
}

/**
 * Errors a record carries at most: the first and the latest. A throttled record stays on the
 * ladder's last step as long as its destination throttles, so its history must not grow with it.
 */
export const MAX_HISTORY = 20;

function boundedHistory(history: ErrorEntry[]): ErrorEntry[] {
  if (history.length <= MAX_HISTORY) return history;
  return [history[0] as ErrorEntry, ...history.slice(history.length - (MAX_HISTORY - 1))];
}

/** Records per produce request of a hand-off (see FailedDeliveryWriter.handOff). */
export const HANDOFF_CHUNK = 32;

/**
 * Hands failed deliveries and undecodable records to Kafka, durably (acks=all), so that the source
 * offset (or the retry record) may be committed. One record per (event, stream): a retry concerns
 * one destination only. The value is always the original event bytes.
 */
export class FailedDeliveryWriter {
  private readonly log: DeliveryLog;
  private readonly now: () => number;

  constructor(
    private readonly producer: Producer,
    readonly policy: RetryPolicy,
    options: { log?: DeliveryLog; now?: () => number } = {},
  ) {
    this.log = options.log ?? NO_DELIVERY_LOG;
    this.now = options.now ?? Date.now;
  }

  /**
   * Retryable failures go to the next step of the ladder, permanent ones and those past the last
   * step to the dead-letter topic. Returns how many were dead-lettered once every record is
   * durably written.
   *
   * Records go out in requests of at most HANDOFF_CHUNK, built and encoded one per turn of the event
   * loop (kafkajs encodes a produce request in one synchronous stretch, ~60 µs per record of ours):
   * a failing stream's backlog never holds the loop that healthy streams' deliveries share for more
   * than a few milliseconds. The requests are in flight together; the promise settles when all are
   * acknowledged (acks=all), or rejects if any failed (its records may then be written twice: at
   * least once).
   */
  async handOff(failures: readonly FailedDelivery[]): Promise<{ deadLettered: number }> {
    if (failures.length === 0) return { deadLettered: 0 };
    const now = this.now();
    const at = new Date(now).toISOString();
    let deadLettered = 0;
    const sends: Promise<void>[] = [];
    for (let start = 0; start < failures.length; start += HANDOFF_CHUNK) {
      if (start > 0) await nextTurn();
      const byTopic = new Map<string, Message[]>();
      const sources = new Map<Message, FailedDelivery>();
      const end = Math.min(failures.length, start + HANDOFF_CHUNK);
      for (let i = start; i < end; i++) {
        const f = failures[i] as FailedDelivery;
        const r = f.result;
        const placement = placeFailure(
          this.policy,
          {
            permanent: r.outcome === "permanent",
            misconfiguration: r.outcome === "retryable" && r.misconfiguration === true,
            retryAfterMs: r.outcome === "retryable" ? r.retryAfterMs : undefined,
            throttled: r.outcome === "retryable" && r.throttled === true,
          },
          f.previous?.tierIndex,
          now,
        );
        const attempt = (f.previous?.attempt ?? 0) + 1;
        this.log.failed({ ...f, attempt }, r, placement);
        const history = boundedHistory([
          ...(f.previous?.history ?? []),
          { at, attempt, sink: f.sinkType, code: r.code, message: r.message },
        ]);
        const carried = f.previous?.carried ?? sourceHeaders(f.source);
        const firstFailedAt = f.previous?.firstFailedAt ?? at;
        let topic: string;
        let headers: IHeaders;
        if (placement.kind === "tier") {
          topic = placement.tier.topic;
          const retry: RetryHeader = {
            v: 1,
            streamId: f.streamId,
            projectId: f.projectId,
            attempt,
            tier: placement.tier.name,
            firstFailedAt,
            lastError: { sink: f.sinkType, code: r.code, message: r.message },
            history,
            carried,
          };
          headers = {
            [H.dueAt]: new Date(placement.dueAt).toISOString(),
            [H.retry]: JSON.stringify(retry),
          };
        } else {
          topic = this.policy.deadLetter;
          headers = {
            ...carried,
            [H.streamId]: f.streamId,
            [H.projectId]: f.projectId,
            [H.attempt]: String(attempt),
            [H.firstFailedAt]: firstFailedAt,
            [H.errorSink]: f.sinkType,
            [H.errorCode]: r.code,
            [H.errorMessage]: r.message,
            [H.errorHistory]: JSON.stringify(history),
            [H.reason]: placement.reason,
          };
          deadLettered++;
        }
        let list = byTopic.get(topic);
        if (!list) {
          list = [];
          byTopic.set(topic, list);
        }
        const message: Message = { key: f.streamId, value: f.source.value, headers };
        list.push(message);
        sources.set(message, f);
      }
      const sent = this.send(byTopic).catch((error: unknown) => {
        if (!isTooLarge(error)) throw error;
        return this.sendOneByOne(byTopic, sources);
      });
      // Settled below with the others; marked handled now, as it may fail while the next is built.
      sent.catch(() => undefined);
      sends.push(sent);
    }
    await Promise.all(sends);
    return { deadLettered };
  }

  /**
   * A request was refused as too large: some record in it is larger than its topic accepts (its
   * event's bytes plus our headers). Each is sent alone, and one that is still refused leaves a
   * reference in the dead-letter topic instead: where the event is (topic, partition, offset),
   * whose it is and why. Without it that record could never be handed off, and its partition
   * would be read again and again, never past it.
   */
  private async sendOneByOne(
    byTopic: Map<string, Message[]>,
    sources: Map<Message, FailedDelivery>,
  ): Promise<void> {
    const alone = [...byTopic].flatMap(([topic, messages]) =>
      messages.map(async (message) => {
        try {
          await this.send(new Map([[topic, [message]]]));
        } catch (error) {
          const f = sources.get(message);
          if (!isTooLarge(error) || !f) throw error;
          await this.send(new Map([[this.policy.deadLetter, [tooLargeReference(f, topic)]]]));
        }
      }),
    );
    await Promise.all(alone);
  }

  /** Puts records back on a topic unchanged but for the due time (a paused stream without a backlog). */
  async putBack(topic: string, records: readonly Message[], dueAt: number): Promise<void> {
    if (records.length === 0) return;
    const due = new Date(dueAt).toISOString();
    await this.send(
      new Map([[topic, records.map((m) => ({ ...m, headers: { ...m.headers, [H.dueAt]: due } }))]]),
    );
  }

  /**
   * A paused stream's retry records, written once to the parked topic (keyed by project, like the
   * domain topics) with the step they left: its catch-up takes them up again on resume.
   */
  async parkUntilResume(
    records: readonly (Message & { projectId: string })[],
    tierIndex: number,
  ): Promise<void> {
    if (records.length === 0) return;
    const parked = records.map(({ projectId, ...m }) => ({
      ...m,
      key: projectId,
      headers: { ...m.headers, [H.parkedFromTier]: String(tierIndex) },
    }));
    await this.send(new Map([[this.policy.parked, parked]]));
  }

  /** A record that cannot be decoded: parked with the reason; the connector moves on. */
  async deadLetterUndecodable(source: SourceRecord, reason: string, code: string): Promise<void> {
    await this.producer.send({
      topic: this.policy.deadLetter,
      acks: -1,
      messages: [
        {
          key: `${source.topic}/${source.partition}/${source.offset}`,
          value: source.value,
          headers: { ...sourceHeaders(source), [H.reason]: reason, [H.errorCode]: code },
        },
      ],
    });
  }

  private async send(byTopic: Map<string, Message[]>): Promise<void> {
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}

function sourceHeaders(source: SourceRecord): Record<string, string> {
  return {
    [H.sourceTopic]: source.topic,
    [H.sourcePartition]: String(source.partition),
    [H.sourceOffset]: source.offset,
  };
}

/** Kafka refused a record or a request for its size (kafkajs wraps the broker's error). */
function isTooLarge(error: unknown): boolean {
  for (let e = error as { type?: string; cause?: unknown; originalError?: unknown } | undefined; e; ) {
    if (e.type === "MESSAGE_TOO_LARGE" || e.type === "RECORD_LIST_TOO_LARGE") return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}

/** What the dead-letter topic keeps of a failure whose own record was too large to write. */
function tooLargeReference(f: FailedDelivery, refusedBy: string): Message {
  const { topic, partition, offset, value } = f.source;
  return {
    key: `${topic}/${partition}/${offset}`,
    value: null,
    headers: {
      ...sourceHeaders(f.source),
      [H.streamId]: f.streamId,
      [H.projectId]: f.projectId,
      [H.attempt]: String((f.previous?.attempt ?? 0) + 1),
      [H.errorSink]: f.sinkType,
      [H.errorCode]: "handoff-too-large",
      [H.errorMessage]: `${f.result.code}: ${f.result.message}`.slice(0, 1_000),
      [H.reason]: `the failed delivery (an event of ${value.length} bytes) was too large for ${refusedBy}: only this reference is kept; the event stays at ${topic}/${partition}/${offset} for the topic's retention`,
    },
  };
}
