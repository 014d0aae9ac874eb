import { availableParallelism } from "node:os";
import { defaultTopicPrefix } from "../src/topics/domain-topics";
import type { BreakerSettings } from "./circuit-breaker";
import { DEFAULT_LADDER, type Jitter, parseDuration, parseLadder, type RetryTier } from "./retry/ladder";
import { parseSinkModule, type SinkModule } from "./sink-module";
import { DEFAULT_LINGER_MS } from "./stream-dispatcher";

/** Everything a connector process is configured with, parsed and checked once, at start. */
export interface ConnectorConfig {
  brokers: string[];
  registryUrl: string;
  groupId: string;
  topicPrefix: string;
  lingerMs: number;
  /** Where the sinks come from: the built-in ones, or a data team's module (`--sinks`). */
  sinks: SinkModule;
  /** Worker threads that make the sink calls; 0 makes them on the event loop (see DeliveryThreads). */
  deliveryThreads: number;
  partitionsConsumedConcurrently: number;
  /** How long the group waits for a silent (crashed) member before moving its partitions. */
  sessionTimeoutMs: number;
  /** The retry ladder, then the dead-letter topic. */
  retryLadder: RetryTier[];
  retryJitter: Jitter;
  /** Ladder step (0-based) a misconfiguration's first failure starts at (see RetryPolicy). */
  misconfigurationTier: number;
  /** Whether this process also runs a consumer per retry tier (the default: one process does it all). */
  retryConsumers: boolean;
  /** Whether this process reads the domain topics; false runs the retry tiers alone. */
  mainPath: boolean;
  /**
   * The process's nice value, 0 (normal) to 19 (lowest). A retry-only process defaults to 10: its
   * work is due seconds to hours later, so when it shares cores with healthy deliveries (or the
   * broker) the scheduler should serve those first; on idle cores it still runs at full speed.
   */
  nice: number;
  breaker: BreakerSettings;
}

/** Default nice value of a `--retry-only` process (see ConnectorConfig.nice). */
export const RETRY_ONLY_NICE = 10;

export interface ConnectorFlags {
  brokers?: string;
  registryUrl?: string;
  groupId?: string;
  topicPrefix?: string;
  lingerMs?: string;
  deliveryThreads?: string;
  sinks?: string;
  concurrency?: string;
  sessionTimeoutMs?: string;
  retryLadder?: string;
  retryConsumers?: boolean;
  retryOnly?: boolean;
  nice?: string;
}

export function connectorConfig(
  flags: ConnectorFlags,
  env: NodeJS.ProcessEnv = process.env,
): ConnectorConfig {
  const mainPath = !(flags.retryOnly === true || env.EVENTSTREAMS_RETRY_ONLY === "true");
  const config: ConnectorConfig = {
    brokers: (flags.brokers ?? env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim()),
    registryUrl: flags.registryUrl ?? env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
    groupId: flags.groupId ?? env.EVENTSTREAMS_GROUP_ID ?? "eventstreams-connector",
    topicPrefix: flags.topicPrefix ?? defaultTopicPrefix(env),
    lingerMs: wholeNumber(
      "--linger-ms",
      flags.lingerMs ?? env.EVENTSTREAMS_LINGER_MS ?? String(DEFAULT_LINGER_MS),
      0,
      10_000,
    ),
    sinks: parseSinkModule(flags.sinks ?? env.EVENTSTREAMS_SINKS),
    deliveryThreads: wholeNumber(
      "--delivery-threads",
      flags.deliveryThreads ?? env.EVENTSTREAMS_DELIVERY_THREADS ?? String(defaultDeliveryThreads()),
      0,
      64,
    ),
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
    retryLadder: parseLadder(flags.retryLadder ?? env.EVENTSTREAMS_RETRY_LADDER ?? DEFAULT_LADDER),
    retryJitter: oneOf("EVENTSTREAMS_RETRY_JITTER", env.EVENTSTREAMS_RETRY_JITTER ?? "full", [
      "full",
      "none",
    ]),
    misconfigurationTier: wholeNumber(
      "EVENTSTREAMS_RETRY_MISCONFIGURATION_TIER",
      env.EVENTSTREAMS_RETRY_MISCONFIGURATION_TIER ?? "2",
      0,
      11,
    ),
    // commander gives `--no-retry-consumers` a default of true: only an explicit false overrides the env.
    retryConsumers: flags.retryConsumers !== false && env.EVENTSTREAMS_RETRY_CONSUMERS !== "false",
    mainPath,
    nice: wholeNumber(
      "--nice (EVENTSTREAMS_NICE)",
      flags.nice ?? env.EVENTSTREAMS_NICE ?? (mainPath ? "0" : String(RETRY_ONLY_NICE)),
      0,
      19,
    ),
    breaker: {
      threshold: wholeNumber(
        "EVENTSTREAMS_BREAKER_THRESHOLD",
        env.EVENTSTREAMS_BREAKER_THRESHOLD ?? "20",
        1,
        100_000,
      ),
      probeIntervalMs: parseDuration(env.EVENTSTREAMS_BREAKER_PROBE_INTERVAL ?? "30s"),
      autoPauseAfterMs:
        env.EVENTSTREAMS_AUTO_PAUSE_AFTER === "0"
          ? 0
          : parseDuration(env.EVENTSTREAMS_AUTO_PAUSE_AFTER ?? "72h"),
    },
  };
  if (!config.mainPath && !config.retryConsumers) {
    throw new Error(
      "--retry-only with --no-retry-consumers leaves this connector nothing to do: drop one of them",
    );
  }
  return config;
}

/**
 * One delivery thread per core, up to four: a sink call costs the same CPU on any thread, so threads
 * beyond the cores only queue; the event loop's own Kafka work is light beside them.
 */
export function defaultDeliveryThreads(): number {
  return Math.min(4, availableParallelism());
}

function oneOf<T extends string>(name: string, raw: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(raw))
    throw new Error(`${name} must be one of ${values.join(", ")}, got "${raw}"`);
  return raw as T;
}

function wholeNumber(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
