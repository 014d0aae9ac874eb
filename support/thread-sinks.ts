import { threadId } from "node:worker_threads";
import { defineSink, SinkRegistry } from "../connectors/sinks";

/**
 * Sinks for the DeliveryThreads tests, loaded by each delivery thread as a data team's module is.
 * `where` answers with the thread it ran on (in a retryable result's message) and whether the
 * event's timestamp arrived as a Date; `exit` ends its thread mid-call; `spin` keeps its thread
 * busy for 200 ms.
 */
export function createThreadTestSinks(): SinkRegistry {
  const limits = { maxEvents: 10 };
  const configSchema = { type: "object" };
  return new SinkRegistry()
    .register(
      defineSink({
        type: "where",
        description: "answers with its thread",
        configSchema,
        limits,
        create: () => ({
          verify: async () => ({ ok: true }),
          deliver: async (_target, events) =>
            events.map((event) => ({
              outcome: "retryable" as const,
              code: event.timestamp instanceof Date ? "Date" : typeof event.timestamp,
              message: String(threadId),
            })),
        }),
      }),
    )
    .register(
      defineSink({
        type: "exit",
        description: "ends its thread",
        configSchema,
        limits,
        create: () => ({
          verify: async () => ({ ok: true }),
          deliver: () => process.exit(3),
        }),
      }),
    )
    .register(
      defineSink({
        type: "spin",
        description: "keeps its thread busy",
        configSchema,
        limits,
        create: () => ({
          verify: async () => ({ ok: true }),
          deliver: async (target, events) => {
            const until = Date.now() + ((target.config as { ms?: number }).ms ?? 0);
            while (Date.now() < until);
            return events.map(() => ({ outcome: "delivered" as const }));
          },
        }),
      }),
    );
}
