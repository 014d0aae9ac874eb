import { type StackEndpoints, stackEndpoints, stackSettings } from "../src/settings/stack-settings";

/** Read back in a test worker what global setup exported. */
export function stackFromEnv(): StackEndpoints {
  const defaults = stackEndpoints(stackSettings());
  return {
    kafkaBrokers: process.env.KAFKA_BROKERS ?? defaults.kafkaBrokers,
    schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL ?? defaults.schemaRegistryUrl,
    awsEndpointUrl: process.env.AWS_ENDPOINT_URL ?? defaults.awsEndpointUrl,
  };
}
