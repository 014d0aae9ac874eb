import { type Kafka, Partitioners, type Producer } from "kafkajs";
import { type CatchUpProgress, catchUpKey } from "./catch-up-progress";
import { connectorPauseKey, serializeConnectorPause } from "./connector-pause";
import { type EventStream, serializeEventStream, type TopicOffsets } from "./event-stream";
import type { StreamRegistry } from "./stream-registry";

export interface StreamStoreOptions {
  kafka: Kafka;
  registry: StreamRegistry;
  /** How long a write may take to come back through the local registry before it is reported failed. */
  visibilityTimeoutMs?: number;
}

type ConfigRecord = { key: string; value: string | null };

/**
 * Writes event streams to the config topic (the registry's topic): acks=all through an idempotent
 * producer, then waits until the local registry has applied that very record, so a caller that
 * reads right after a write sees it. The API writes streams; a connector writes only its pauses,
 * which can never overwrite a stream (see ConnectorPause).
 */
export class StreamStore {
  private readonly producer: Producer;
  private readonly registry: StreamRegistry;
  private readonly visibilityTimeoutMs: number;

  constructor(options: StreamStoreOptions) {
    this.registry = options.registry;
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 10_000;
    this.producer = options.kafka.producer({
      // Keyed by stream id on a compacted topic: Kafka's standard partitioner, chosen explicitly.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  start(): Promise<void> {
    return this.producer.connect();
  }

  async put(stream: EventStream): Promise<EventStream> {
    return (await this.putAt(stream)).stream;
  }

  /** As put, with the offset the stream's record got in the config topic. */
  async putAt(stream: EventStream): Promise<{ stream: EventStream; offset: number }> {
    const offset = await this.write([
      { key: stream.id, value: serializeEventStream(stream) },
      ...this.pauseCleared(stream.id),
    ]);
    return { stream: this.registry.get(stream.id) ?? stream, offset };
  }

  async delete(id: string): Promise<void> {
    // Always: a pause this process has not read yet must not outlive its stream in the topic.
    await this.write([
      { key: id, value: null },
      { key: connectorPauseKey(id), value: null },
      ...this.registry.progressRecordsOf(id).map((p) => ({
        key: catchUpKey(id, p.job, p.topic),
        value: null,
      })),
    ]);
  }

  /** A connector's pause of the revision `stream` is at; it holds until the stream's next revision. */
  async pauseForConnector(
    stream: EventStream,
    reason: string,
    options: { at?: Date; backlogFrom?: TopicOffsets } = {},
  ): Promise<void> {
    const at = options.at ?? new Date();
    const pause = {
      streamId: stream.id,
      revision: stream.revision,
      pausedAt: at.toISOString(),
      reason,
      ...(options.backlogFrom ? { backlogFrom: options.backlogFrom } : {}),
    };
    await this.write([{ key: connectorPauseKey(stream.id), value: serializeConnectorPause(pause) }]);
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }

  /** How far a catch-up got (see CatchUpProgress). */
  async putCatchUp(progress: CatchUpProgress): Promise<void> {
    await this.write([
      { key: catchUpKey(progress.streamId, progress.job, progress.topic), value: JSON.stringify(progress) },
    ]);
  }

  /**
   * A new revision ends any connector pause (a put carries the pause over when its writer saw it),
   * so its record goes too. In the same batch: a pause of the new revision can only come later.
   */
  private pauseCleared(id: string): ConfigRecord[] {
    return this.registry.hasConnectorPause(id) ? [{ key: connectorPauseKey(id), value: null }] : [];
  }

  /** Writes the records and waits until the local registry applied them; returns the last one's offset. */
  private async write(messages: ConfigRecord[]): Promise<number> {
    const [metadata] = await this.producer.send({ topic: this.registry.topic, acks: -1, messages });
    if (!metadata?.baseOffset) throw new Error("the broker did not report the offset of the write");
    const last = Number(metadata.baseOffset) + messages.length - 1;
    await this.registry.waitForOffset(metadata.partition, last, this.visibilityTimeoutMs);
    return last;
  }
}
