import type { SinkModule } from "../../src/settings/connector-settings";
import type { SinkRegistry } from ".";

/** The sinks this product ships (connectors/sinks/index). */
export const BUILT_IN_SINKS: SinkModule = {
  path: require.resolve("./index"),
  exportName: "createSinkRegistry",
};

/** Loads the sinks of a module, or the built-in ones when no module is set. */
export function loadSinkRegistry(module: SinkModule = BUILT_IN_SINKS): SinkRegistry {
  const factory: unknown = require(module.path)[module.exportName];
  const registry: unknown = typeof factory === "function" ? factory() : undefined;
  // Duck-typed: a data team's module may hold its own copy of this package, and so of the class.
  const usable =
    typeof registry === "object" &&
    registry !== null &&
    typeof (registry as SinkRegistry).definition === "function" &&
    typeof (registry as SinkRegistry).sink === "function";
  if (!usable) {
    throw new Error(
      `${module.path} must export ${module.exportName}(), a function that returns a SinkRegistry: ` +
        "for example `export const createMySinks = () => createSinkRegistry().register(mySink)`",
    );
  }
  return registry as SinkRegistry;
}
