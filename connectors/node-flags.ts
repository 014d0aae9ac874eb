import { setFlagsFromString } from "node:v8";

/**
 * Node/V8 flags a connector process should run with: `node $FLAGS bin/eventstreams.js connector`
 * (or NODE_OPTIONS), as a JVM service is started with its heap settings. Launchers in this repository
 * (the demo, benchmarks, crash tests) use them; docs/operations.md tells operators.
 *
 * 8 MiB semi-spaces, stated rather than left to V8's default. They were 64 while the SDK made the
 * delivery calls (a few hundred KiB of garbage per call); the lean transport allocates a fraction
 * of that. On the 200,000-event backlog of bench:e2e, 16 instead of 64 cost no CPU and saved up to
 * 128 MiB of young generation per isolate (the event loop and each delivery thread); 8 instead of
 * 16 saved another 30-50 MiB of peak RSS, CPU within the runs' noise (docs/benchmarks.md, issue 22).
 * A connector on EVENTSTREAMS_AWS_TRANSPORT=sdk may still prefer 64.
 */
export const CONNECTOR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=8"];

/**
 * How far V8 lets the old generation grow past what survived its last full collection, in percent.
 * V8's own factor (up to 4x when collections are quick, as they are with records that live for a
 * few milliseconds) left the event loop's heap at 220-280 MiB reserved for 60-150 used under a
 * backlog; 50% kept it near 110, with no more CPU than the runs' noise. 20% cost CPU (more full
 * collections). Not allowed in NODE_OPTIONS, so the connector sets it itself.
 */
const HEAP_GROWING_PERCENT = 50;

/** Applies the connector's heap growth, unless the operator gave `--heap-growing-percent` on the command line. */
export function applyConnectorHeapSettings(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((flag) => flag.startsWith("--heap-growing-percent"))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
