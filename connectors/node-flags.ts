/**
 * Node/V8 flags a connector process should run with: `node $FLAGS bin/eventstreams.js connector`
 * (or NODE_OPTIONS), as a JVM service is started with its heap settings. Launchers in this repository
 * (the demo, benchmarks, crash tests) use them; docs/operations.md tells operators.
 *
 * 64 MiB semi-spaces instead of V8's 16: every SDK call allocates a few hundred KiB that dies when
 * the call returns, and under a backlog a connector holds thousands of events read ahead for their
 * streams, so a small young generation is collected often and promotes what is still in flight.
 * In bench:e2e the connector spent 0.17-0.20 CPU s per 1,000 events instead of 0.23, garbage
 * collection fell from 14% of its profile to 8.4-8.8%, and peak RSS rose by about 90 MiB.
 */
export const CONNECTOR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=64"];
