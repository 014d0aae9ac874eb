import type { Command } from "commander";
import { loadSinkRegistry } from "../../../connectors/sinks/sink-module";
import { createLogger } from "../../../src/logging";
import { type ApiFlags, apiSettings } from "../../../src/settings/api-settings";
import { startApi } from "../../api/api";

export function registerApiCommand(program: Command): void {
  program
    .command("api")
    .description(
      "serve the event streams HTTP API (tokens from EVENTSTREAMS_ADMIN_TOKEN / EVENTSTREAMS_PROJECT_TOKENS)",
    )
    .option("--port <port>", "TCP port (default: EVENTSTREAMS_API_PORT or 8080)")
    .option("--host <host>", "address to listen on (default: EVENTSTREAMS_API_HOST or 127.0.0.1)")
    .option("--brokers <list>", "Kafka bootstrap servers (default: KAFKA_BROKERS or the local stack)")
    .option("--config-topic <topic>", "the stream configuration topic (default: EVENTSTREAMS_CONFIG_TOPIC)")
    .option(
      "--sinks <module>",
      "your sinks, as the connector's --sinks: path#export (env EVENTSTREAMS_SINKS; default: the built-in sinks)",
    )
    .action(async (options: ApiFlags) => {
      const settings = apiSettings(options);
      const logger = createLogger("eventstreams-api");
      if (
        settings.tokens.adminTokens.length === 0 &&
        Object.keys(settings.tokens.projectTokens).length === 0
      ) {
        logger.warn("no API tokens configured: every stream request will be refused with 401");
      }
      const sinks = loadSinkRegistry(settings.sinks);
      const api = await startApi(settings, { logger, sinks });
      process.stderr.write(`event streams API listening on ${api.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          logger.info("shutting down");
          void api.close().finally(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
