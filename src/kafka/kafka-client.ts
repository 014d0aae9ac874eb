import { Kafka, type KafkaConfig, logLevel } from "kafkajs";
import type { Logger } from "pino";
import { useBoundedGzip } from "./gzip-codec";

const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/**
 * A kafkajs client whose own logs go through our pino logger, as structured JSON like the rest.
 * Every producer of ours names its partitioner (kafkajs's Java-compatible default, or the
 * KeyCachingPartitioner built on it), so kafkajs has no v1-to-v2 notice to print. Its gzip batches
 * inflate within a limit (see MAX_INFLATED_BATCH_BYTES).
 */
export function createKafka(config: Omit<KafkaConfig, "logCreator">, logger: Logger): Kafka {
  useBoundedGzip();
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
