import { randomUUID } from "node:crypto";
import pino from "pino";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import { defineSink, SinkRegistry } from "../../../connectors/sinks";
import { readToEnd } from "../../../src/kafka/read-to-end";
import { readRetryRecord } from "../../../src/retry";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../../support/pipeline";

const DEADLINE_MS = 500;

/** A data team's sink whose calls never return: the calls are abandoned, never the events. */
describe("a sink call that never returns", () => {
  let pipeline: Pipeline;
  let connector: RunningConnector;
  let calls = 0;
  const sinks = new SinkRegistry().register(
    defineSink<Record<string, never>>({
      type: "never-answers",
      description: "a destination whose calls never end",
      configSchema: { type: "object", additionalProperties: false },
      limits: { maxEvents: 10, callTimeoutMs: DEADLINE_MS },
      create: () => ({
        verify: async () => ({ ok: true }),
        deliver: () => {
          calls++;
          return new Promise(() => undefined);
        },
      }),
    }),
  );

  beforeAll(async () => {
    pipeline = await createPipeline(1);
    const env = { ...process.env, ...pipeline.env, EVENTSTREAMS_RETRY_LADDER: "30s" };
    connector = await startConnector(connectorConfig({}, env), pino({ level: "silent" }), { sinks });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it("hands the call's events to the retry path at its deadline, and stop() still returns", async () => {
    const projectId = randomUUID();
    await pipeline.addStream({ projectId, type: "never-answers", config: {} });
    const published = Date.now();
    const events = await pipeline.publisher.publishMany(
      Array.from({ length: 3 }, () => ({ name: "IdentityCreated" as const, projectId })),
    );
    const retried = new Map<string, string | undefined>();
    await waitFor(
      async () => {
        await readToEnd(pipeline.kafka, pipeline.topics.retryTier("30s"), (_partition, message) => {
          const record = readRetryRecord(message, 0);
          retried.set(record.source.offset, record.state.history.at(-1)?.code);
        });
        return retried.size >= events.length;
      },
      { timeoutMs: 20_000, description: "the three events in the retry tier" },
    );
    // Each at its call's deadline, not at some later timeout of the sink's own.
    expect(Date.now() - published).toBeLessThan(DEADLINE_MS + 10_000);
    expect([...retried.values()]).toEqual(["SinkTimeout", "SinkTimeout", "SinkTimeout"]);
    expect(calls).toBeGreaterThanOrEqual(1);

    const stopped = await Promise.race([
      connector.stop().then(() => "stopped"),
      new Promise((resolve) => setTimeout(() => resolve("still stopping"), 15_000)),
    ]);
    expect(stopped).toBe("stopped");
  });
});
