/**
 * Node/V8 flags a connector process should run with: `node $FLAGS bin/eventstreams.js connector`
 * (or NODE_OPTIONS), as a JVM service is started with its heap settings. Launchers in this repository
 * (the demo, benchmarks, crash tests) use them; docs/operations.md tells operators.
 *
 * 16 MiB semi-spaces, stated rather than left to V8's default. They were 64 while the SDK made the
 * delivery calls (a few hundred KiB of garbage per call); the lean transport allocates a fraction
 * of that, and on the 200,000-event backlog of bench:e2e it ran at 0.10-0.11 CPU s per 1,000
 * events with 16 against 0.11-0.12 with 64, while every isolate (the event loop and each delivery
 * thread) reserved up to 128 MiB less young generation: peak RSS 715-747 MiB instead of 987-1,023.
 * A connector on EVENTSTREAMS_AWS_TRANSPORT=sdk may still prefer 64.
 */
export const CONNECTOR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=16"];
