import { systemTopics } from "../topics/system-topics";
import type { TokenConfig } from "./auth";
import { DEFAULT_BODY_LIMIT_BYTES } from "./server";

export interface ApiSettings {
  host: string;
  port: number;
  brokers: string[];
  configTopic: string;
  /** Used only when this process creates the config topic. */
  replicationFactor: number;
  minInsyncReplicas?: number;
  maxStreamsPerProject: number;
  bodyLimitBytes: number;
  tokens: TokenConfig;
}

export const DEFAULT_API_PORT = 8080;
export const DEFAULT_MAX_STREAMS_PER_PROJECT = 5;

/**
 * Settings from the environment:
 * - EVENTSTREAMS_ADMIN_TOKEN: may manage every project (comma-separated for rotation).
 * - EVENTSTREAMS_PROJECT_TOKENS: JSON, `{"<project id>": "<token>" | ["<token>", ...]}`.
 * - EVENTSTREAMS_API_HOST / EVENTSTREAMS_API_PORT, KAFKA_BROKERS, EVENTSTREAMS_CONFIG_TOPIC,
 *   EVENTSTREAMS_CONFIG_REPLICATION_FACTOR, EVENTSTREAMS_CONFIG_MIN_ISR,
 *   EVENTSTREAMS_MAX_STREAMS_PER_PROJECT, EVENTSTREAMS_API_BODY_LIMIT.
 */
export function apiSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ApiSettings {
  return {
    host: env.EVENTSTREAMS_API_HOST || "127.0.0.1",
    port: integer(env, "EVENTSTREAMS_API_PORT", DEFAULT_API_PORT, 0),
    brokers: (env.KAFKA_BROKERS || "127.0.0.1:9092").split(",").map((b) => b.trim()),
    configTopic: env.EVENTSTREAMS_CONFIG_TOPIC || systemTopics().config,
    replicationFactor: integer(env, "EVENTSTREAMS_CONFIG_REPLICATION_FACTOR", -1, -1),
    minInsyncReplicas: env.EVENTSTREAMS_CONFIG_MIN_ISR
      ? integer(env, "EVENTSTREAMS_CONFIG_MIN_ISR", 1, 1)
      : undefined,
    maxStreamsPerProject: integer(
      env,
      "EVENTSTREAMS_MAX_STREAMS_PER_PROJECT",
      DEFAULT_MAX_STREAMS_PER_PROJECT,
      1,
    ),
    bodyLimitBytes: integer(env, "EVENTSTREAMS_API_BODY_LIMIT", DEFAULT_BODY_LIMIT_BYTES, 1024),
    tokens: {
      adminTokens: (env.EVENTSTREAMS_ADMIN_TOKEN ?? "")
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
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
    throw new Error('EVENTSTREAMS_PROJECT_TOKENS is not JSON: use {"<project id>": "<token>"}');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error('EVENTSTREAMS_PROJECT_TOKENS must be a JSON object: {"<project id>": "<token>"}');
  }
  const tokens: Record<string, string[]> = {};
  for (const [projectId, value] of Object.entries(parsed)) {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((t) => typeof t === "string" && t.length >= 16)) {
      throw new Error(
        `EVENTSTREAMS_PROJECT_TOKENS: the tokens of project ${projectId} must be strings of 16+ characters`,
      );
    }
    tokens[projectId] = list as string[];
  }
  return tokens;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name}=${raw} must be a whole number of at least ${min}`);
  return value;
}
