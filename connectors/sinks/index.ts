import { SinkRegistry } from "./sink-registry";
import { snsSink } from "./sns";

export * from "./sink";
export { type ConfigError, SinkRegistry } from "./sink-registry";

/**
 * The sinks this product ships, registered exactly as a data team registers its own:
 * `createSinkRegistry().register(mySink)`.
 */
export function createSinkRegistry(): SinkRegistry {
  return new SinkRegistry().register(snsSink);
}
