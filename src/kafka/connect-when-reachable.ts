import { KafkaJSConnectionError } from "kafkajs";
import type { Logger } from "pino";
import { delay } from "../util/wait-for";

const MAX_BACKOFF_MS = 10_000;

/**
 * Connects a process's first Kafka client, waiting for as long as the brokers cannot be reached
 * (a service that starts while the broker restarts, as under a supervisor after a crash), with a
 * log line per attempt. Any other failure (authentication, a wrong address answering) is thrown.
 */
export async function connectWhenReachable(
  client: { connect(): Promise<void> },
  brokers: readonly string[],
  logger: Logger,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.connect();
      if (attempt > 1) logger.info({ brokers, attempts: attempt }, "Kafka reachable");
      return;
    } catch (error) {
      if (!unreachable(error)) throw error;
      const backoffMs = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** (attempt - 1));
      logger.warn(
        { brokers, attempt, backoffMs, error: (error as Error).message },
        "Kafka is not reachable: trying again",
      );
      await delay(backoffMs);
    }
  }
}

/** A connection error, or kafkajs's giving up on its own retries of one (it keeps it as the cause). */
function unreachable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (e instanceof KafkaJSConnectionError) return true;
  }
  return false;
}
