import { type Kafka, Partitioners, type Producer } from "kafkajs";
import { type EventStream, serializeEventStream } from "./event-stream";
import type { StreamRegistry } from "./stream-registry";

export interface StreamStoreOptions {
  kafka: Kafka;
  registry: StreamRegistry;
  /** How long a write may take to come back through the local registry before it is reported failed. */
  visibilityTimeoutMs?: number;
}

/**
 * Writes event streams to the config topic (the registry's topic): acks=all through an idempotent
 * producer, then waits until the local registry has applied that very record, so a caller that
 * reads right after a write sees it.
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
    await this.write(stream.id, serializeEventStream(stream));
    return this.registry.get(stream.id) ?? stream;
  }

  async delete(id: string): Promise<void> {
    await this.write(id, null);
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }

  private async write(id: string, value: string | null): Promise<void> {
    const [metadata] = await this.producer.send({
      topic: this.registry.topic,
      acks: -1,
      messages: [{ key: id, value }],
    });
    if (!metadata?.baseOffset) throw new Error("the broker did not report the offset of the write");
    await this.registry.waitForOffset(
      metadata.partition,
      Number(metadata.baseOffset),
      this.visibilityTimeoutMs,
    );
  }
}
