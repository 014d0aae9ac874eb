import * as path from "node:path";
import { DEFAULT_UNKNOWN_SCHEMA_GRACE_MS } from "../codec/event-decoder";
import { DEFAULT_LADDER, type Jitter, parseLadder, type RetryTier } from "../retry";
import { kafkaBrokersSetting, schemaRegistryUrlSetting, topicPrefixSetting } from "./endpoints";
import {
  booleanSetting,
  durationSetting,
  envValue,
  integerSetting,
  oneOfSetting,
  portSetting,
  SettingError,
} from "./parse";
import { kmsKeyIdSetting } from "./secrets-settings";

export interface BreakerSettings {
  /** Consecutive failed deliveries that open a stream's circuit. */
  threshold: number;
  /** While open, one real delivery (the probe) is let through per interval. */
  probeIntervalMs: number;
  /** A stream failing without a single success for this long is paused (0: never). */
  autoPauseAfterMs: number;
}

/**
 * How long a partly filled batch waits for more of its stream's events, as Kafka's producer waits
 * (`linger.ms`, 5 ms since Kafka 4.0). A stream with events a few milliseconds apart still fills its
 * batches; one with an event a second, typical of a tenant, pays 5 ms for nothing instead of 20.
 * bench:e2e at 1,000 events/s over 1,000 streams, one connector: p50 28-40 ms in six of seven
 * runs with 5 ms, 50-121 ms in all four with 20 (docs/benchmarks.md).
 */
/**
 * How long the group waits for a silent member before moving its partitions. A killed instance's
 * partitions were delivered again 11.1 s after a SIGKILL at 10 s, and 31.4 s at kafkajs's 30 s
 * (`npm run bench:kills -- --failover`; bench/reference/failover-session-*.json). The connector
 * heartbeats every 2 s from an event loop that never stops for more than 50 ms, and its retry tiers
 * heartbeat through long chunks, so 10 s leaves five beats of margin. (kafkajs has no static
 * membership, so a restart cannot keep its partitions either way.)
 */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

export const DEFAULT_LINGER_MS = 5;
/** Calls one stream may have in flight at most, however well its destination keeps up. */
export const DEFAULT_MAX_IN_FLIGHT_PER_STREAM = 32;

/**
 * Where a process finds its sinks: a module and its export, a function that returns a
 * SinkRegistry. Each delivery thread loads it for sink instances of its own, so the built-in sinks
 * and a data team's are loaded, and run, the same way.
 */
export interface SinkModule {
  /** The module's absolute path (or a package name). */
  path: string;
  /** The export to call, e.g. `createSinkRegistry`. */
  exportName: string;
}

/**
 * `--sinks` / EVENTSTREAMS_SINKS: `path[#export]`, a compiled module (relative to `cwd`) or a
 * package, and the function it exports (default `createSinkRegistry`). Unset (undefined): the
 * built-in sinks.
 */
export function parseSinkModule(raw: string | undefined, cwd = process.cwd()): SinkModule | undefined {
  if (raw === undefined || raw === "") return undefined;
  const [file = "", exportName = "createSinkRegistry"] = raw.split("#");
  const request = file.startsWith(".") || path.isAbsolute(file) ? path.resolve(cwd, file) : file;
  try {
    return { path: require.resolve(request, { paths: [cwd] }), exportName };
  } catch {
    throw new SettingError(
      `--sinks (EVENTSTREAMS_SINKS): no module "${file}" from ${cwd}: give the path of a compiled ` +
        "module and its export, e.g. --sinks ./dist/my-sinks.js#createMySinks",
    );
  }
}

/** Everything a connector process is configured with, parsed and checked once, at start. */
export interface ConnectorConfig {
  brokers: string[];
  registryUrl: string;
  groupId: string;
  topicPrefix: string;
  lingerMs: number;
  /** Each stream's calls in flight: where the adaptive limit starts and the most it may reach. */
  streamConcurrency: { initial: number; max: number };
  /** Where the sinks come from: a data team's module (`--sinks`), or (undefined) the built-in ones. */
  sinks: SinkModule | undefined;
  /** Worker threads that make the sink calls; 0 makes them on the event loop (see DeliveryThreads). */
  deliveryThreads: number;
  partitionsConsumedConcurrently: number;
  /** How long the group waits for a silent (crashed) member before moving its partitions. */
  sessionTimeoutMs: number;
  /** How long a schema id the registry answers unknown is looked up again before the record is dead-lettered. */
  unknownSchemaGraceMs: number;
  /** Whether attempts are written to the deliveries log (every failure, a sample of successes). */
  deliveryLog: boolean;
  /** Events a second one resumed stream's catch-up delivers at most (per domain topic). */
  catchUpRate: number;
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
  opsPort: number;
  /** The environment the sinks read their own settings from (SinkContext.env): this process's. */
  sinkEnv: NodeJS.ProcessEnv;
  /** The KMS key stream secrets are sealed under (EVENTSTREAMS_KMS_KEY_ID): opened to deliver. */
  kmsKeyId: string;
}

export const DEFAULT_GROUP_ID = "eventstreams-connector";
/** Where a connector serves /metrics, /healthz and /readyz (0: any free port). */
export const DEFAULT_OPS_PORT = 9464;

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
  opsPort?: string;
}

export function connectorConfig(
  flags: ConnectorFlags,
  env: NodeJS.ProcessEnv = process.env,
): ConnectorConfig {
  const value = (flag: string | undefined, name: string, fallback: string) =>
    flag ?? envValue(env, name) ?? fallback;
  const retryOnly =
    flags.retryOnly === true ||
    booleanSetting("EVENTSTREAMS_RETRY_ONLY", value(undefined, "EVENTSTREAMS_RETRY_ONLY", "false"));
  const mainPath = !retryOnly;
  const autoPauseAfter = value(undefined, "EVENTSTREAMS_AUTO_PAUSE_AFTER", "72h");
  const config: ConnectorConfig = {
    brokers: kafkaBrokersSetting(env, flags.brokers),
    registryUrl: schemaRegistryUrlSetting(env, flags.registryUrl),
    groupId: value(flags.groupId, "EVENTSTREAMS_GROUP_ID", DEFAULT_GROUP_ID),
    topicPrefix: topicPrefixSetting(env, flags.topicPrefix),
    lingerMs: integerSetting(
      "--linger-ms (EVENTSTREAMS_LINGER_MS)",
      value(flags.lingerMs, "EVENTSTREAMS_LINGER_MS", String(DEFAULT_LINGER_MS)),
      { min: 0, max: 10_000 },
    ),
    streamConcurrency: {
      initial: 1,
      max: integerSetting(
        "EVENTSTREAMS_MAX_IN_FLIGHT_PER_STREAM",
        value(undefined, "EVENTSTREAMS_MAX_IN_FLIGHT_PER_STREAM", String(DEFAULT_MAX_IN_FLIGHT_PER_STREAM)),
        { min: 1, max: 256 },
      ),
    },
    sinks: parseSinkModule(value(flags.sinks, "EVENTSTREAMS_SINKS", "")),
    deliveryThreads: integerSetting(
      "--delivery-threads (EVENTSTREAMS_DELIVERY_THREADS)",
      value(flags.deliveryThreads, "EVENTSTREAMS_DELIVERY_THREADS", String(DEFAULT_DELIVERY_THREADS)),
      { min: 0, max: 64 },
    ),
    partitionsConsumedConcurrently: integerSetting(
      "--concurrency (EVENTSTREAMS_PARTITION_CONCURRENCY)",
      value(flags.concurrency, "EVENTSTREAMS_PARTITION_CONCURRENCY", "6"),
      { min: 1, max: 256 },
    ),
    sessionTimeoutMs: integerSetting(
      "--session-timeout-ms (EVENTSTREAMS_SESSION_TIMEOUT_MS)",
      value(flags.sessionTimeoutMs, "EVENTSTREAMS_SESSION_TIMEOUT_MS", String(DEFAULT_SESSION_TIMEOUT_MS)),
      { min: 3_000, max: 300_000 },
    ),
    unknownSchemaGraceMs: durationSetting(
      "EVENTSTREAMS_UNKNOWN_SCHEMA_GRACE",
      value(undefined, "EVENTSTREAMS_UNKNOWN_SCHEMA_GRACE", `${DEFAULT_UNKNOWN_SCHEMA_GRACE_MS}ms`),
      { allowZero: true },
    ),
    catchUpRate: integerSetting(
      "EVENTSTREAMS_CATCH_UP_RATE",
      value(undefined, "EVENTSTREAMS_CATCH_UP_RATE", "500"),
      { min: 1, max: 100_000 },
    ),
    deliveryLog: booleanSetting(
      "EVENTSTREAMS_DELIVERY_LOG",
      value(undefined, "EVENTSTREAMS_DELIVERY_LOG", "true"),
    ),
    retryLadder: parseLadder(value(flags.retryLadder, "EVENTSTREAMS_RETRY_LADDER", DEFAULT_LADDER)),
    retryJitter: oneOfSetting(
      "EVENTSTREAMS_RETRY_JITTER",
      value(undefined, "EVENTSTREAMS_RETRY_JITTER", "full"),
      ["full", "none"],
    ),
    misconfigurationTier: integerSetting(
      "EVENTSTREAMS_RETRY_MISCONFIGURATION_TIER",
      value(undefined, "EVENTSTREAMS_RETRY_MISCONFIGURATION_TIER", "2"),
      { min: 0, max: 11 },
    ),
    // commander gives `--no-retry-consumers` a default of true: only an explicit false overrides the env.
    retryConsumers:
      flags.retryConsumers !== false &&
      booleanSetting(
        "EVENTSTREAMS_RETRY_CONSUMERS",
        value(undefined, "EVENTSTREAMS_RETRY_CONSUMERS", "true"),
      ),
    mainPath,
    nice: integerSetting(
      "--nice (EVENTSTREAMS_NICE)",
      value(flags.nice, "EVENTSTREAMS_NICE", mainPath ? "0" : String(RETRY_ONLY_NICE)),
      { min: 0, max: 19 },
    ),
    breaker: {
      threshold: integerSetting(
        "EVENTSTREAMS_BREAKER_THRESHOLD",
        value(undefined, "EVENTSTREAMS_BREAKER_THRESHOLD", "20"),
        { min: 1, max: 100_000 },
      ),
      probeIntervalMs: durationSetting(
        "EVENTSTREAMS_BREAKER_PROBE_INTERVAL",
        value(undefined, "EVENTSTREAMS_BREAKER_PROBE_INTERVAL", "30s"),
      ),
      autoPauseAfterMs: durationSetting("EVENTSTREAMS_AUTO_PAUSE_AFTER", autoPauseAfter, { allowZero: true }),
    },
    opsPort: portSetting(
      "--ops-port (EVENTSTREAMS_OPS_PORT)",
      value(flags.opsPort, "EVENTSTREAMS_OPS_PORT", String(DEFAULT_OPS_PORT)),
      { allowZero: true },
    ),
    sinkEnv: env,
    kmsKeyId: kmsKeyIdSetting(env),
  };
  if (!config.mainPath && !config.retryConsumers) {
    throw new SettingError(
      "--retry-only with --no-retry-consumers leaves this connector nothing to do: drop one of them",
    );
  }
  return config;
}

/**
 * One delivery thread: the calls leave the event loop, which keeps the Kafka work. A lean AWS call
 * costs a fraction of the ~1 ms of CPU an SDK call did (when one thread per core, up to four, was
 * the default), so on 2 cores a second thread drained a backlog 0-25% faster, for 30-70 MiB more peak
 * RSS and 0.1 cores more at 1,000 events/s (docs/benchmarks.md, issue 22). More threads
 * serve the SDK transport (EVENTSTREAMS_AWS_TRANSPORT=sdk) and sinks whose calls are CPU-heavy.
 */
export const DEFAULT_DELIVERY_THREADS = 1;
