import * as path from "node:path";
import type { SinkRegistry } from "./sinks";

/**
 * Where a process finds its sinks: a module and its export, a function that returns a
 * SinkRegistry. Each delivery thread loads it for sink instances of its own, so the built-in sinks
 * and a data team's are loaded, and run, the same way.
 */
export interface SinkModule {
  /** The module's absolute path (or a package name). */
  path: string;
  /** The export to call, e.g. `createSinkRegistry`. */
  exportName: string;
}

/** The sinks this product ships (connectors/sinks/index). */
export const BUILT_IN_SINKS: SinkModule = {
  path: require.resolve("./sinks"),
  exportName: "createSinkRegistry",
};

/**
 * `--sinks` / EVENTSTREAMS_SINKS: `path[#export]`, a compiled module (relative to `cwd`) or a
 * package, and the function it exports (default `createSinkRegistry`). Unset: the built-in sinks.
 */
export function parseSinkModule(raw: string | undefined, cwd = process.cwd()): SinkModule {
  if (raw === undefined || raw === "") return BUILT_IN_SINKS;
  const [file = "", exportName = "createSinkRegistry"] = raw.split("#");
  const request = file.startsWith(".") || path.isAbsolute(file) ? path.resolve(cwd, file) : file;
  try {
    return { path: require.resolve(request, { paths: [cwd] }), exportName };
  } catch {
    throw new Error(
      `--sinks (EVENTSTREAMS_SINKS): no module "${file}" from ${cwd}: give the path of a compiled ` +
        "module and its export, e.g. --sinks ./dist/my-sinks.js#createMySinks",
    );
  }
}

export function loadSinkRegistry(module: SinkModule): SinkRegistry {
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
