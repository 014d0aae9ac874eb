/**
 * The retry tiers of the isolation benchmark in a process of their own (`--split-retry`): the same
 * connector with `retryOnly`, whose "fake" destinations all fail after 300 ms, as A's does (B's
 * deliveries never reach the retry path). Prints "ready" once running; stops on SIGTERM.
 */
import pino from "pino";
import { startConnector } from "../../connectors/run-connector";
import { defineSink, SinkRegistry } from "../../connectors/sinks";
import { connectorConfig } from "../../src/settings/connector-settings";
import { delay } from "../../src/util/wait-for";

async function main() {
  const failing = defineSink<Record<string, unknown>>({
    type: "fake",
    description: "A's destination: every call fails after 300 ms",
    configSchema: { type: "object" },
    limits: { maxEvents: 10 },
    create: () => ({
      verify: async () => ({ ok: true }),
      deliver: async (_target, events) => {
        await delay(300);
        return events.map(
          () => ({ outcome: "retryable", code: "ServiceUnavailable", message: "down" }) as const,
        );
      },
    }),
  });
  const running = await startConnector(connectorConfig({ retryOnly: true }), pino({ level: "silent" }), {
    sinks: new SinkRegistry().register(failing),
  });
  process.stdout.write("ready\n");
  process.once("SIGTERM", () => void running.stop().then(() => process.exit(0)));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
