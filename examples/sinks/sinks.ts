// In a project of its own: `import { createSinkRegistry, type SinkRegistry } from "live-event-streams"`.
import { createSinkRegistry, type SinkRegistry } from "../../apps/package";
import { ndjsonFileSink } from "./ndjson-file";

/**
 * The module the API and the connector are pointed at (`--sinks dist/sinks.js#createExampleSinks`):
 * the built-in sinks and ours. Each delivery thread of the connector calls it for instances of its own.
 */
export function createExampleSinks(): SinkRegistry {
  return createSinkRegistry().register(ndjsonFileSink);
}
