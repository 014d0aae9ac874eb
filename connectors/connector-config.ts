import { defaultTopicPrefix } from "../src/topics/domain-topics";

/** Everything a connector process is configured with, parsed and checked once, at start. */
export interface ConnectorConfig {
  brokers: string[];
  registryUrl: string;
  groupId: string;
  topicPrefix: string;
  lingerMs: number;
  partitionsConsumedConcurrently: number;
  /** How long the group waits for a silent (crashed) member before moving its partitions. */
  sessionTimeoutMs: number;
}

export interface ConnectorFlags {
  brokers?: string;
  registryUrl?: string;
  groupId?: string;
  topicPrefix?: string;
  lingerMs?: string;
  concurrency?: string;
  sessionTimeoutMs?: string;
}

export function connectorConfig(
  flags: ConnectorFlags,
  env: NodeJS.ProcessEnv = process.env,
): ConnectorConfig {
  return {
    brokers: (flags.brokers ?? env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim()),
    registryUrl: flags.registryUrl ?? env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
    groupId: flags.groupId ?? env.EVENTSTREAMS_GROUP_ID ?? "eventstreams-connector",
    topicPrefix: flags.topicPrefix ?? defaultTopicPrefix(env),
    lingerMs: wholeNumber("--linger-ms", flags.lingerMs ?? env.EVENTSTREAMS_LINGER_MS ?? "20", 0, 10_000),
    partitionsConsumedConcurrently: wholeNumber(
      "--concurrency",
      flags.concurrency ?? env.EVENTSTREAMS_PARTITION_CONCURRENCY ?? "6",
      1,
      256,
    ),
    sessionTimeoutMs: wholeNumber(
      "--session-timeout-ms",
      flags.sessionTimeoutMs ?? env.EVENTSTREAMS_SESSION_TIMEOUT_MS ?? "30000",
      3_000,
      300_000,
    ),
  };
}

function wholeNumber(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
