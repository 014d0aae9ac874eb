import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import pino from "pino";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import type { EventInput } from "../../../producers";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../../support/pipeline";

/**
 * A data team's sink through the connector as they would run it: `--sinks` names their module
 * (the docs' ndjson-file sink, and a copy of it that ends its thread once), every delivery thread
 * loads it, and events reach each project's own file.
 */
describe("a data team's sinks, loaded by the connector's delivery threads", () => {
  let pipeline: Pipeline;
  let connector: RunningConnector;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "custom-sinks-"));
    // The example sink writes under NDJSON_SINK_DIR; the threads read the env they start with.
    process.env.NDJSON_SINK_DIR = directory;
    pipeline = await createPipeline();
    const sinks = `${path.join(__dirname, "fixtures/thread-exit-sinks.ts")}#createThreadExitSinks`;
    connector = await startConnector(
      connectorConfig(
        { sinks, deliveryThreads: "2" },
        {
          ...process.env,
          ...pipeline.env,
          EVENTSTREAMS_RETRY_LADDER: "300ms,600ms",
          // A dead thread fails its whole call; that is not this test's destination failing for good.
          EVENTSTREAMS_BREAKER_THRESHOLD: "1000",
        },
      ),
      pino({ level: "silent" }),
    );
  });

  afterAll(async () => {
    await connector?.stop();
    await pipeline?.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** The events in a file of `directory`, as the sink wrote them. */
  const fileEvents = async (fileName: string) =>
    (await readFile(path.join(directory, fileName), "utf8").catch(() => ""))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; projectId: string });
  const uniqueIds = async (fileName: string) =>
    [...new Set((await fileEvents(fileName)).map((e) => e.id))].sort();

  it("delivers each project's events to its own file, and no other's", async () => {
    const projects = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, projectId] of projects.entries())
      await pipeline.addStream({ projectId, type: "ndjson-file", config: { fileName: `p${i}.ndjson` } });

    const published = await pipeline.publisher.publishMany(
      projects.flatMap((projectId) =>
        Array.from(
          { length: 40 },
          (_, n): EventInput => ({ name: "LoginSucceeded", projectId, eventAttributes: { n: String(n) } }),
        ),
      ),
    );
    await waitFor(
      async () => {
        const counts = await Promise.all(
          projects.map(async (_, i) => (await uniqueIds(`p${i}.ndjson`)).length),
        );
        return counts.every((count) => count === 40);
      },
      { timeoutMs: 30_000, description: "40 events in each project's file" },
    );
    for (const [i, projectId] of projects.entries()) {
      const got = await fileEvents(`p${i}.ndjson`);
      expect(got.every((e) => e.projectId === projectId)).toBe(true);
      expect([...new Set(got.map((e) => e.id))].sort()).toEqual(
        published
          .filter((e) => e.projectId === projectId)
          .map((e) => e.id)
          .sort(),
      );
    }
  });

  it("loses nothing when a delivery thread dies mid-call: its calls go to the retry path", async () => {
    const projectId = randomUUID();
    await pipeline.addStream({ projectId, type: "exit-once", config: { fileName: "crash.ndjson" } });
    const published = await pipeline.publisher.publishMany(
      Array.from(
        { length: 30 },
        (_, n): EventInput => ({ name: "LoginSucceeded", projectId, eventAttributes: { n: String(n) } }),
      ),
    );
    const expected = published.map((e) => e.id).sort();

    await waitFor(async () => (await uniqueIds("crash.ndjson")).length === 30, {
      timeoutMs: 30_000,
      description: "all 30 events in the file after the thread's death",
    });
    expect(await uniqueIds("crash.ndjson")).toEqual(expected);
    // The thread did die, and its call came back through the retry path.
    expect(existsSync(path.join(directory, ".thread-exited"))).toBe(true);
    const retried = await connector.connector.metricsRegistry.getSingleMetricAsString(
      "eventstreams_deliveries_total",
    );
    expect(retried).toMatch(/eventstreams_deliveries_total\{sink="exit-once",outcome="retryable"\} [1-9]/);
  });
});
