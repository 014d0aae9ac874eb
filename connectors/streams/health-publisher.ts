import { type Kafka, Partitioners, type Producer } from "kafkajs";
import type { Logger } from "pino";
import type { StreamHealth } from "../delivery/circuit-breaker";

/**
 * Publishes each stream's health to the compacted health topic, keyed by stream id, whenever it
 * changes; the API reads the topic to show health beside the stream. Best effort: a lost health
 * update is corrected by the next change and never holds up deliveries.
 */
export class HealthPublisher {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {
    // Keyed by stream id on a compacted topic: Kafka's standard partitioner, chosen explicitly.
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  start(): Promise<void> {
    return this.producer.connect();
  }

  /** `undefined` (the stream was deleted) writes a tombstone: compaction then drops its record. */
  publish(streamId: string, health: StreamHealth | undefined): void {
    const value = health === undefined ? null : JSON.stringify(health);
    this.producer
      .send({ topic: this.topic, messages: [{ key: streamId, value }] })
      .catch((error: unknown) =>
        this.logger.warn({ streamId, err: error }, "could not publish stream health"),
      );
  }

  stop(): Promise<void> {
    return this.producer.disconnect();
  }
}
