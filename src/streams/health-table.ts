import { randomUUID } from "node:crypto";
import type { Consumer, Kafka } from "kafkajs";
import type { Logger } from "pino";

/** What the connector last published about a stream (see connectors/health-publisher.ts). */
export type StreamHealthView = { status: "healthy" | "failing" | "circuit-open"; [key: string]: unknown };

/**
 * Each stream's health as the connectors last reported it, read from the compacted health topic
 * and kept current. Best effort by design: health is information for people, not a decision input,
 * so the API does not wait for it to catch up.
 */
export class HealthTable {
  private readonly byStream = new Map<string, StreamHealthView>();
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `eventstreams-health-${randomUUID()}`,
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const id = message.key?.toString();
        if (!id) return;
        if (!message.value) {
          this.byStream.delete(id);
          return;
        }
        try {
          this.byStream.set(id, JSON.parse(message.value.toString()) as StreamHealthView);
        } catch (error) {
          this.logger.warn({ id, err: error }, "skipping an unreadable health record");
        }
      },
    });
  }

  /** Unknown until a connector has delivered (or failed to deliver) to the stream. */
  get(streamId: string): StreamHealthView | { status: "unknown" } {
    return this.byStream.get(streamId) ?? { status: "unknown" };
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
