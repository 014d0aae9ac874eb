import { envValue, listSetting } from "./parse";
import { stackEndpoints, stackSettings } from "./stack-settings";

/**
 * Where every process finds Kafka and the schema registry: a flag, else the standard environment
 * (KAFKA_BROKERS, SCHEMA_REGISTRY_URL), else the local stack (with its port settings). Written once,
 * for the connector, the API, the CLI and the SDK alike.
 */
export function kafkaBrokersSetting(env: NodeJS.ProcessEnv, flag?: string): string[] {
  return listSetting(
    flag ?? envValue(env, "KAFKA_BROKERS") ?? stackEndpoints(stackSettings(env)).kafkaBrokers,
  );
}

export function schemaRegistryUrlSetting(env: NodeJS.ProcessEnv, flag?: string): string {
  return flag ?? envValue(env, "SCHEMA_REGISTRY_URL") ?? stackEndpoints(stackSettings(env)).schemaRegistryUrl;
}

/** One cluster shared by several environments names its topics `<prefix>.…` (EVENTSTREAMS_TOPIC_PREFIX). */
export const TOPIC_PREFIX_ENV = "EVENTSTREAMS_TOPIC_PREFIX";

export function topicPrefixSetting(env: NodeJS.ProcessEnv, flag?: string): string {
  return flag ?? env[TOPIC_PREFIX_ENV] ?? "";
}
