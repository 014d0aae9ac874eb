import type { Admin } from "kafkajs";
import { DOMAINS, type Domain } from "../events/domain-event";
import { createMissingTopics } from "../kafka/create-missing-topics";
import { domainTopic } from "./domain-topics";

export interface TopicSettings {
  prefix: string;
  partitions: number;
  /** -1 lets the broker decide (its default.replication.factor). */
  replicationFactor: number;
  retentionMs: number;
  /** Unset keeps the broker's default; with acks=all it is how many replicas must have a write. */
  minInsyncReplicas?: number;
  domains?: readonly Domain[];
}

export const DEFAULT_TOPIC_SETTINGS: TopicSettings = {
  prefix: "",
  partitions: 6,
  replicationFactor: -1,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
};

export interface TopicOutcome {
  topic: string;
  domain: Domain;
  created: boolean;
  partitions: number;
}

/**
 * Creates the missing domain topics and leaves existing ones alone (idempotent). Existing topics
 * report their real partition count: changing it would move projects between partitions and break
 * their ordering, so that is never done implicitly.
 */
export async function ensureDomainTopics(admin: Admin, settings: TopicSettings): Promise<TopicOutcome[]> {
  const domains = settings.domains ?? DOMAINS;
  const wanted = domains.map((domain) => ({ domain, topic: domainTopic(domain, settings.prefix) }));
  const configEntries = [
    { name: "retention.ms", value: String(settings.retentionMs) },
    { name: "cleanup.policy", value: "delete" },
    ...(settings.minInsyncReplicas === undefined
      ? []
      : [{ name: "min.insync.replicas", value: String(settings.minInsyncReplicas) }]),
  ];
  const created = new Set(
    await createMissingTopics(
      admin,
      wanted.map(({ topic }) => ({
        topic,
        numPartitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
        configEntries,
      })),
    ),
  );
  const metadata = await admin.fetchTopicMetadata({ topics: wanted.map((w) => w.topic) });
  const partitionsOf = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  return wanted.map(({ domain, topic }) => ({
    topic,
    domain,
    created: created.has(topic),
    partitions: partitionsOf.get(topic) ?? 0,
  }));
}
