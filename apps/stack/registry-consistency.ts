import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { RegistryAdmin } from "../../src/schemas/registry-admin";
import { valueSubject } from "../../src/topics/domain-topics";
import { delay } from "../../src/util/wait-for";

/** One record whose schema id the registry cannot answer for its topic. */
export interface UnknownSchemaReference {
  topic: string;
  partition: number;
  offset: string;
  schemaId: number;
  /** What the registry has for that id instead: nothing, or other subjects. */
  registeredUnder: string[];
}

export interface RegistryConsistency {
  /** Latest records read (one per non-empty partition of the domain topics). */
  sampled: number;
  unknown: UnknownSchemaReference[];
  /** Set when the sample could not be read in time: then nothing is claimed either way. */
  incomplete?: string;
}

/**
 * Samples the latest record of every partition of the domain topics and asks the registry whether
 * it knows each record's schema id under that topic's subject. A registry that lost its state (or
 * runs on another Kafka) while the broker kept its records shows here, before a connector
 * dead-letters events that are not poison.
 */
export async function checkRegistryAgainstKafka(options: {
  brokers: string;
  registryUrl: string;
  /** The domain topics to sample (under the prefix the demo and the CLI use). */
  topics: string[];
  timeoutMs?: number;
}): Promise<RegistryConsistency> {
  const kafka = new Kafka({
    clientId: "eventstreams-stack-check",
    brokers: [options.brokers],
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 1 },
    logLevel: logLevel.NOTHING,
  });
  const latest = await latestOffsets(kafka, options.topics);
  if (latest.size === 0) return { sampled: 0, unknown: [] };

  const records = await readLatestRecords(kafka, latest, options.timeoutMs ?? 10_000);
  const admin = new RegistryAdmin(options.registryUrl);
  const subjectsById = new Map<number, string[]>();
  const unknown: UnknownSchemaReference[] = [];
  for (const record of records.found) {
    if (!record.value || record.value.length < 5 || record.value[0] !== 0) continue; // not a schema reference
    const schemaId = record.value.readInt32BE(1);
    let subjects = subjectsById.get(schemaId);
    if (!subjects) {
      subjects = (await admin.subjectsOf(schemaId)) ?? [];
      subjectsById.set(schemaId, subjects);
    }
    if (!subjects.includes(valueSubject(record.topic))) {
      unknown.push({
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        schemaId,
        registeredUnder: subjects,
      });
    }
  }
  const missing = latest.size - records.found.length;
  return {
    sampled: records.found.length,
    unknown,
    ...(missing > 0 ? { incomplete: `${missing} of ${latest.size} partitions not read in time` } : {}),
  };
}

/** What `stack status` says about an inconsistent registry, fix included. */
export function describeInconsistency(result: RegistryConsistency, dataDir: string): string | undefined {
  if (result.unknown.length === 0) return undefined;
  const ids = [...new Set(result.unknown.map((u) => u.schemaId))].sort((a, b) => a - b);
  const where = [...new Set(result.unknown.map((u) => u.topic))].join(", ");
  return (
    `the registry does not know schema id${ids.length > 1 ? "s" : ""} ${ids.join(", ")} under the subjects of ` +
    `${where}, which the latest records there reference: the registry's state and Kafka's records have ` +
    `diverged (a registry wiped or pointed at another Kafka). Connectors would dead-letter those events. ` +
    `Fix: wipe both together (eventstreams stack down && rm -rf ${dataDir} && eventstreams stack up), ` +
    `then eventstreams topics create && eventstreams schemas register.`
  );
}

type PartitionKey = string;
const keyOf = (topic: string, partition: number): PartitionKey => `${topic}\n${partition}`;

/** The offset of the last record of every non-empty partition of the topics that exist. */
async function latestOffsets(kafka: Kafka, topics: string[]): Promise<Map<PartitionKey, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const latest = new Map<PartitionKey, string>();
    for (const topic of topics.filter((t) => existing.has(t))) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low))
          latest.set(keyOf(topic, p.partition), (BigInt(p.high) - 1n).toString());
      }
    }
    return latest;
  } finally {
    await admin.disconnect();
  }
}

interface SampledRecord {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
}

/**
 * kafkajs reads only through a consumer group: a throwaway group that commits nothing joins, seeks
 * every partition to its last record and takes one record from each.
 */
async function readLatestRecords(
  kafka: Kafka,
  latest: Map<PartitionKey, string>,
  timeoutMs: number,
): Promise<{ found: SampledRecord[] }> {
  const topics = [...new Set([...latest.keys()].map((k) => k.split("\n")[0] as string))];
  const consumer = kafka.consumer({
    groupId: `eventstreams-stack-check-${randomUUID()}`,
    maxWaitTimeInMs: 50,
  });
  const found = new Map<PartitionKey, SampledRecord>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: false });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [key, offset] of latest) {
        const [topic, partition] = key.split("\n") as [string, string];
        consumer.seek({ topic, partition: Number(partition), offset });
      }
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const key = keyOf(topic, partition);
        if (!found.has(key) && latest.has(key)) {
          found.set(key, { topic, partition, offset: message.offset, value: message.value });
        }
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (found.size < latest.size && Date.now() < deadline) await delay(50);
  } finally {
    await consumer.disconnect();
  }
  return { found: [...found.values()] };
}
