import { SinkRegistry } from "./sink-registry";
import { snsSink } from "./sns";

export { type ConfigError, SinkRegistry } from "./sink-registry";
export * from "./sink";

/**
 * The sinks this product ships, registered exactly as a data team registers its own:
 * `createSinkRegistry().register(mySink)`.
 */
export function createSinkRegistry(): SinkRegistry {
  return new SinkRegistry().register(snsSink);
}
