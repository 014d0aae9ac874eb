import { DEFAULT_LADDER, parseLadder, type RetryTier } from "../retry";
import { systemTopics } from "../topics/system-topics";
import { DEFAULT_GROUP_ID, parseSinkModule, type SinkModule } from "./connector-settings";
import { kafkaBrokersSetting, schemaRegistryUrlSetting, topicPrefixSetting } from "./endpoints";
import { envValue, integerSetting, listSetting, SettingError } from "./parse";
import { kmsKeyIdSetting } from "./secrets-settings";

export interface TokenConfig {
  /** Tokens that may manage every project. */
  adminTokens: readonly string[];
  /** Tokens that may manage only their own project, by project id. */
  projectTokens: Readonly<Record<string, readonly string[]>>;
}

export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;

export interface ApiSettings {
  host: string;
  port: number;
  brokers: string[];
  topicPrefix: string;
  configTopic: string;
  /** The connector's consumer group: where a pause reads how far the stream's events were handled. */
  connectorGroupId: string;
  /** The connector's retry ladder: a redrive writes to its first step. */
  retryLadder: RetryTier[];
  /** Used only when this process creates the config topic. */
  replicationFactor: number;
  minInsyncReplicas?: number;
  maxStreamsPerProject: number;
  bodyLimitBytes: number;
  /** A data team's sinks module (`--sinks`), or (undefined) the built-in sinks. */
  sinks: SinkModule | undefined;
  tokens: TokenConfig;
  /** The KMS key stream secrets are sealed under (EVENTSTREAMS_KMS_KEY_ID). */
  kmsKeyId: string;
  /** Where the API decodes dead letters' events for `GET .../failures` (SCHEMA_REGISTRY_URL). */
  schemaRegistryUrl: string;
}

export const DEFAULT_API_PORT = 8080;
export const DEFAULT_MAX_STREAMS_PER_PROJECT = 5;

/**
 * Settings from the environment:
 * - EVENTSTREAMS_ADMIN_TOKEN: may manage every project (comma-separated for rotation).
 * - EVENTSTREAMS_PROJECT_TOKENS: JSON, `{"<project id>": "<token>" | ["<token>", ...]}`.
 * - EVENTSTREAMS_API_HOST / EVENTSTREAMS_API_PORT, KAFKA_BROKERS, EVENTSTREAMS_CONFIG_TOPIC,
 *   EVENTSTREAMS_CONFIG_REPLICATION_FACTOR, EVENTSTREAMS_CONFIG_MIN_ISR,
 *   EVENTSTREAMS_MAX_STREAMS_PER_PROJECT, EVENTSTREAMS_API_BODY_LIMIT, SCHEMA_REGISTRY_URL.
 */
/** The `eventstreams api` flags, which win over the environment. */
export interface ApiFlags {
  port?: string;
  host?: string;
  brokers?: string;
  configTopic?: string;
  sinks?: string;
}

export function apiSettings(flags: ApiFlags = {}, env: NodeJS.ProcessEnv = process.env): ApiSettings {
  const int = (name: string, fallback: number, range: { min: number; max?: number }, flag?: string) => {
    const raw = flag ?? envValue(env, name);
    return raw === undefined ? fallback : integerSetting(flag ? `--port (${name})` : name, raw, range);
  };
  const topicPrefix = topicPrefixSetting(env);
  const minIsr = envValue(env, "EVENTSTREAMS_CONFIG_MIN_ISR");
  return {
    host: flags.host ?? envValue(env, "EVENTSTREAMS_API_HOST") ?? "127.0.0.1",
    port: int("EVENTSTREAMS_API_PORT", DEFAULT_API_PORT, { min: 0, max: 65_535 }, flags.port),
    brokers: kafkaBrokersSetting(env, flags.brokers),
    topicPrefix,
    connectorGroupId: envValue(env, "EVENTSTREAMS_GROUP_ID") ?? DEFAULT_GROUP_ID,
    configTopic:
      flags.configTopic ?? envValue(env, "EVENTSTREAMS_CONFIG_TOPIC") ?? systemTopics(topicPrefix).config,
    retryLadder: parseLadder(envValue(env, "EVENTSTREAMS_RETRY_LADDER") ?? DEFAULT_LADDER),
    replicationFactor: int("EVENTSTREAMS_CONFIG_REPLICATION_FACTOR", -1, { min: -1 }),
    minInsyncReplicas:
      minIsr === undefined ? undefined : integerSetting("EVENTSTREAMS_CONFIG_MIN_ISR", minIsr, { min: 1 }),
    maxStreamsPerProject: int("EVENTSTREAMS_MAX_STREAMS_PER_PROJECT", DEFAULT_MAX_STREAMS_PER_PROJECT, {
      min: 1,
    }),
    bodyLimitBytes: int("EVENTSTREAMS_API_BODY_LIMIT", DEFAULT_BODY_LIMIT_BYTES, { min: 1024 }),
    sinks: parseSinkModule(flags.sinks ?? envValue(env, "EVENTSTREAMS_SINKS")),
    kmsKeyId: kmsKeyIdSetting(env),
    schemaRegistryUrl: schemaRegistryUrlSetting(env),
    tokens: {
      adminTokens: listSetting(env.EVENTSTREAMS_ADMIN_TOKEN ?? ""),
      projectTokens: projectTokens(env.EVENTSTREAMS_PROJECT_TOKENS),
    },
  };
}

function projectTokens(raw: string | undefined): Record<string, string[]> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // The value holds secrets: say what is wrong without repeating it.
    throw new SettingError('EVENTSTREAMS_PROJECT_TOKENS is not JSON: use {"<project id>": "<token>"}');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SettingError('EVENTSTREAMS_PROJECT_TOKENS must be a JSON object: {"<project id>": "<token>"}');
  }
  const tokens: Record<string, string[]> = {};
  for (const [projectId, value] of Object.entries(parsed)) {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((t) => typeof t === "string" && t.length >= 16)) {
      throw new SettingError(
        `EVENTSTREAMS_PROJECT_TOKENS: the tokens of project ${projectId} must be strings of 16+ characters`,
      );
    }
    tokens[projectId.toLowerCase()] = list as string[];
  }
  return tokens;
}

/** Where the CLI finds the API, and the token it sends (EVENTSTREAMS_API_URL, EVENTSTREAMS_API_TOKEN). */
export const DEFAULT_API_URL = `http://127.0.0.1:${DEFAULT_API_PORT}`;

export function apiClientSettings(
  env: NodeJS.ProcessEnv,
  flags: { apiUrl?: string; token?: string } = {},
): { apiUrl: string; token: string | undefined } {
  return {
    apiUrl: flags.apiUrl ?? envValue(env, "EVENTSTREAMS_API_URL") ?? DEFAULT_API_URL,
    token: flags.token ?? envValue(env, "EVENTSTREAMS_API_TOKEN"),
  };
}
