import type { IHeaders, Message, Producer } from "kafkajs";
import type { ErrorEntry, RetryState, SourceRecord } from "../../src/retry";
import { H, placeFailure, type RetryHeader, type RetryPolicy } from "../../src/retry";
import { nextTurn } from "../../src/util/wait-for";
import type { DeliveryResult } from "../sinks";

export interface FailedDelivery {
  source: SourceRecord;
  streamId: string;
  projectId: string;
  sinkType: string;
  result: Exclude<DeliveryResult, { outcome: "delivered" }>;
  previous?: RetryState;
}

/** Records per produce request of a hand-off (see FailedDeliveryWriter.handOff). */
export const HANDOFF_CHUNK = 32;

/**
 * Hands failed deliveries and undecodable records to Kafka, durably (acks=all), so that the source
 * offset (or the retry record) may be committed. One record per (event, stream): a retry concerns
 * one destination only. The value is always the original event bytes.
 */
export class FailedDeliveryWriter {
  constructor(
    private readonly producer: Producer,
    readonly policy: RetryPolicy,
    private readonly now: () => number = Date.now,
  ) {}

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
          },
          f.previous?.tierIndex,
          now,
        );
        const attempt = (f.previous?.attempt ?? 0) + 1;
        const history: ErrorEntry[] = [
          ...(f.previous?.history ?? []),
          { at, attempt, sink: f.sinkType, code: r.code, message: r.message },
        ];
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
        list.push({ key: f.streamId, value: f.source.value, headers });
      }
      const sent = this.send(byTopic);
      // Settled below with the others; marked handled now, as it may fail while the next is built.
      sent.catch(() => undefined);
      sends.push(sent);
    }
    await Promise.all(sends);
    return { deadLettered };
  }

  /** Puts records back on a topic unchanged but for the due time (a paused stream's backlog). */
  async park(topic: string, records: readonly Message[], dueAt: number): Promise<void> {
    if (records.length === 0) return;
    const due = new Date(dueAt).toISOString();
    await this.send(
      new Map([[topic, records.map((m) => ({ ...m, headers: { ...m.headers, [H.dueAt]: due } }))]]),
    );
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
