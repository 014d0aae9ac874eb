import { Kafka, type KafkaConfig, logLevel } from "kafkajs";
import type { Logger } from "pino";

const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** A kafkajs client whose own logs go through our pino logger, as structured JSON like the rest. */
export function createKafka(config: Omit<KafkaConfig, "logCreator">, logger: Logger): Kafka {
  // Our keys are project ids, hashed by kafkajs's default (Java-compatible) partitioner on purpose;
  // its notice about the v2 change of default is for code migrating from v1.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= "1";
  const kafkaLogger = logger.child({ component: "kafkajs" });
  return new Kafka({
    logLevel: logLevel.WARN,
    ...config,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, timestamp: _t, logger: _l, ...context } = log;
        kafkaLogger[LEVELS[level] ?? "info"](context, message);
      },
  });
}

/**
 * Heartbeat interval for a consumer group session: a fifth of it, so a few beats may be missed before
 * the group drops the member, and never more than Kafka's default of 3 s.
 */
export function heartbeatIntervalFor(sessionTimeoutMs: number): number {
  return Math.min(3_000, Math.floor(sessionTimeoutMs / 5));
}
