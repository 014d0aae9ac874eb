/** The benchmark's own environment: topics under a unique prefix, 1,000 SNS streams, a backlog. */
import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import pino from "pino";
import { EventMix } from "../../apps/simulate/event-mix";
import { createEventPublisher, type EventInput, type EventPublisher } from "../../producers";
import { DOMAINS, type DomainEvent } from "../../src/events/domain-event";
import { newEventStream } from "../../src/streams/event-stream";
import { StreamRegistry } from "../../src/streams/stream-registry";
import { StreamStore } from "../../src/streams/stream-store";
import { DEFAULT_TOPIC_SETTINGS, ensureDomainTopics } from "../../src/topics/create-topics";
import { ensureFailureTopics, systemTopics } from "../../src/topics/system-topics";

export const topicArnOf = (i: number) => `arn:aws:sns:us-east-1:123456789012:bench-${i}`;

export async function createTopicsAndStreams(kafka: Kafka, prefix: string, projects: number) {
  const admin = kafka.admin();
  await admin.connect();
  await ensureDomainTopics(admin, { ...DEFAULT_TOPIC_SETTINGS, prefix, partitions: 6 });
  await ensureFailureTopics(admin, systemTopics(prefix), 6);
  await admin.disconnect();

  const registry = new StreamRegistry({
    kafka,
    topic: systemTopics(prefix).config,
    logger: pino({ level: "warn" }),
  });
  await registry.start();
  const store = new StreamStore({ kafka, registry });
  await store.start();
  const projectIds = Array.from({ length: projects }, () => randomUUID());
  const arnByProject = new Map<string, string>();
  for (let i = 0; i < projects; i += 100) {
    await Promise.all(
      projectIds.slice(i, i + 100).map((projectId, j) => {
        arnByProject.set(projectId, topicArnOf(i + j));
        return store.put(
          newEventStream({
            projectId,
            type: "sns",
            // moto's AssumeRole accepts any role: none needs to exist.
            config: { topicArn: topicArnOf(i + j), roleArn: `arn:aws:iam::123456789012:role/bench-${i + j}` },
          }),
        );
      }),
    );
  }
  await store.stop();
  await registry.stop();
  return { projectIds, arnByProject };
}

export function benchPublisher(brokers: string, registryUrl: string, prefix: string): EventPublisher {
  return createEventPublisher({
    brokers,
    registryUrl,
    topicPrefix: prefix,
    autoRegister: true,
    source: "bench-e2e",
  });
}

/** Publishes `count` events of the catalog mix over the projects; returns them as published. */
export async function publishBacklog(
  publisher: EventPublisher,
  projectIds: readonly string[],
  count: number,
): Promise<DomainEvent[]> {
  const mix = new EventMix(DOMAINS, projectIds.length, projectIds);
  const published: DomainEvent[] = [];
  const chunk = 5_000;
  for (let i = 0; i < count; i += chunk * 4) {
    // Four chunks in flight: enough to keep the producer's batches full, bounded memory.
    const parts = await Promise.all(
      [0, 1, 2, 3]
        .map((k) => i + k * chunk)
        .filter((start) => start < count)
        .map((start) =>
          publisher.publishMany(
            Array.from({ length: Math.min(chunk, count - start) }, () => mix.next() as EventInput),
          ),
        ),
    );
    for (const part of parts) published.push(...part);
  }
  return published;
}
