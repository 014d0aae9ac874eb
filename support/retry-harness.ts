import { randomUUID } from "node:crypto";
import pino from "pino";
import { type RunningConnector, startConnector } from "../connectors/run-connector";
import type { EventInput } from "../producers";
import { connectorConfig } from "../src/settings/connector-settings";
import type { EventStream } from "../src/streams/event-stream";
import { FakeDestinations } from "./fake-sink";
import { createPipeline, type Pipeline } from "./pipeline";

/** A pipeline, fake destinations and an in-process connector (with its retry tiers) configured by env. */
export interface RetryHarness {
  pipeline: Pipeline;
  fakes: FakeDestinations;
  connector: RunningConnector;
  fakeStream(projectId?: string): Promise<EventStream>;
  publish(projectId: string, count: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startRetryHarness(env: Record<string, string>): Promise<RetryHarness> {
  const pipeline = await createPipeline(3);
  const fakes = new FakeDestinations();
  const connector = await startConnector(
    connectorConfig({}, { ...process.env, ...pipeline.env, ...env }),
    // The failures these tests cause on purpose would fill the output; TEST_LOG_LEVEL=warn shows them.
    pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    { sinks: fakes.registry() },
  );
  return {
    pipeline,
    fakes,
    connector,
    fakeStream: (projectId = randomUUID()) => pipeline.addStream({ projectId, type: "fake", config: {} }),
    publish: async (projectId, count) => {
      const events = Array.from({ length: count }, (_, i) => ({
        name: "LoginSucceeded",
        projectId,
        eventAttributes: { seq: String(i) },
      })) as EventInput[];
      return (await pipeline.publisher.publishMany(events)).map((e) => e.id);
    },
    close: async () => {
      await connector.stop();
      await pipeline.close();
    },
  };
}
