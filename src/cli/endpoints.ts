import { stackEndpoints, stackSettings } from "../stack/settings";

/** Where commands find Kafka and the registry: the standard environment, else the local stack. */
export function defaultBrokers(): string {
  return process.env.KAFKA_BROKERS ?? stackEndpoints(stackSettings()).kafkaBrokers;
}

export function defaultRegistryUrl(): string {
  return process.env.SCHEMA_REGISTRY_URL ?? stackEndpoints(stackSettings()).schemaRegistryUrl;
}

export function parsePositiveInt(label: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${label} must be a whole number above 0, got "${raw}"`);
    return value;
  };
}

/** `60s`, `5m`, `2h`, `7d`, `1500ms`, or a bare number of milliseconds. */
export function parseDuration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new Error(`"${raw}" is not a duration: use e.g. 1500ms, 60s, 5m, 2h or 7d`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? "ms") as "ms"];
  return Math.round(Number(match[1]) * unit);
}
