import type { IHeaders, Producer } from "kafkajs";
import { H } from "./failure-headers";
import type { DeliveryResult } from "./sinks";

export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The original bytes of the event, as the product service produced them. */
  value: Buffer;
}

export interface FailedDelivery {
  source: SourceRecord;
  streamId: string;
  projectId: string;
  sinkType: string;
  result: Exclude<DeliveryResult, { outcome: "delivered" }>;
}

export interface FailureTopics {
  retry: string;
  deadLetter: string;
}

/**
 * Hands failed deliveries and undecodable records to Kafka, durably (acks=all), so that the source
 * offset may be committed. One record per (event, stream): a retry concerns one destination only.
 */
export class FailedDeliveryWriter {
  constructor(
    private readonly producer: Producer,
    private readonly topics: FailureTopics,
    private readonly now: () => number = Date.now,
  ) {}

  /** Retryable failures go to the retry topic, permanent ones straight to the dead-letter topic. */
  async handOff(failures: readonly FailedDelivery[]): Promise<void> {
    if (failures.length === 0) return;
    const at = new Date(this.now()).toISOString();
    const byTopic = new Map<string, { key: string; value: Buffer; headers: IHeaders }[]>();
    for (const f of failures) {
      const topic = f.result.outcome === "permanent" ? this.topics.deadLetter : this.topics.retry;
      const history = [{ at, attempt: 0, sink: f.sinkType, code: f.result.code, message: f.result.message }];
      const headers: IHeaders = {
        ...sourceHeaders(f.source),
        [H.streamId]: f.streamId,
        [H.projectId]: f.projectId,
        [H.attempt]: "0",
        [H.firstFailedAt]: at,
        [H.dueAt]: at,
        [H.errorSink]: f.sinkType,
        [H.errorCode]: f.result.code,
        [H.errorMessage]: f.result.message,
        [H.errorHistory]: JSON.stringify(history),
      };
      if (f.result.outcome === "permanent") headers[H.reason] = "permanent-failure";
      const list = byTopic.get(topic) ?? [];
      list.push({ key: f.streamId, value: f.source.value, headers });
      byTopic.set(topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  /** A record that cannot be decoded: parked with the reason; the connector moves on. */
  async deadLetterUndecodable(source: SourceRecord, reason: string, code: string): Promise<void> {
    await this.producer.send({
      topic: this.topics.deadLetter,
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
}

function sourceHeaders(source: SourceRecord): IHeaders {
  return {
    [H.sourceTopic]: source.topic,
    [H.sourcePartition]: String(source.partition),
    [H.sourceOffset]: source.offset,
  };
}
