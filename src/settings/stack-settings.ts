import * as path from "node:path";
import { findProjectRoot } from "../project-root";

/**
 * Where the local stack lives and which ports it uses. Every value can be overridden by an
 * environment variable so two checkouts (or a checkout and a docker compose stack) can coexist.
 */
export interface StackSettings {
  /** Git-ignored folder holding downloads, data, pid files and logs. */
  root: string;
  host: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  registryPort: number;
  awsPort: number;
}

export const DEFAULT_PORTS = {
  kafka: 9092,
  kafkaController: 9093,
  registry: 8081,
  aws: 4566,
} as const;

/** Pinned versions: the native stack and docker-compose.yml must run the same releases. */
export const VERSIONS = {
  kafka: "4.1.1",
  apicurio: "3.0.9",
  moto: "5.2.5",
} as const;

export function stackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  return {
    root: path.resolve(env.EVENTSTREAMS_STACK_DIR ?? path.join(findProjectRoot(), ".stack")),
    host: "127.0.0.1",
    kafkaPort: portFromEnv(env, "KAFKA_PORT", DEFAULT_PORTS.kafka),
    kafkaControllerPort: portFromEnv(env, "KAFKA_CONTROLLER_PORT", DEFAULT_PORTS.kafkaController),
    registryPort: portFromEnv(env, "SCHEMA_REGISTRY_PORT", DEFAULT_PORTS.registry),
    awsPort: portFromEnv(env, "AWS_EMULATOR_PORT", DEFAULT_PORTS.aws),
  };
}

/** The addresses clients use, in the form each client library expects. */
export interface StackEndpoints {
  kafkaBrokers: string;
  /** Confluent-compatible API root of the schema registry. */
  schemaRegistryUrl: string;
  /** Passed to the AWS SDK through the standard AWS_ENDPOINT_URL setting. */
  awsEndpointUrl: string;
}

export function stackEndpoints(s: StackSettings): StackEndpoints {
  return {
    kafkaBrokers: `${s.host}:${s.kafkaPort}`,
    schemaRegistryUrl: `http://${s.host}:${s.registryPort}/apis/ccompat/v7`,
    awsEndpointUrl: `http://${s.host}:${s.awsPort}`,
  };
}

function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${raw} is not a valid TCP port: set it to a whole number from 1 to 65535`);
  }
  return port;
}

/**
 * The environment a process needs to use the local stack: its addresses, and the standard AWS
 * settings (AWS_ENDPOINT_URL and the emulator's throwaway credentials), so application code reaches
 * the emulator exactly as it would reach AWS, without knowing it is an emulator.
 */
export function clientEnvironment(endpoints: StackEndpoints): Record<string, string> {
  return {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    AWS_ENDPOINT_URL: endpoints.awsEndpointUrl,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "emulator",
    AWS_SECRET_ACCESS_KEY: "emulator",
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
  };
}
