import { Kafka, logLevel } from "kafkajs";
import type { Logger } from "pino";

/** A kafkajs client whose own log lines go through our pino logger (and its redaction). */
export function kafkaClient(clientId: string, brokers: string[], logger: Logger): Kafka {
  const log = logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        if (level <= logLevel.ERROR) log.error(rest, message);
        else if (level === logLevel.WARN) log.warn(rest, message);
        else log.debug(rest, message);
      },
  });
}
