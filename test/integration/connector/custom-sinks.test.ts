import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import pino from "pino";
import { connectorConfig } from "../../../connectors/connector-config";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import type { EventInput } from "../../../producers";
import { findProjectRoot } from "../../../src/project-root";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../support/pipeline";

/**
 * A data team's sink through the connector as they would run it: `--sinks` names their module
 * (examples/sinks/sinks.ts, the docs' ndjson-file sink), every delivery thread loads it, and events
 * reach each project's own file.
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
    const sinks = `${path.join(findProjectRoot(), "examples/sinks/sinks.ts")}#createExampleSinks`;
    connector = await startConnector(
      connectorConfig({ sinks, deliveryThreads: "2" }, { ...process.env, ...pipeline.env }),
      pino({ level: "warn" }),
    );
  });

  afterAll(async () => {
    await connector?.stop();
    await pipeline?.close();
    await rm(directory, { recursive: true, force: true });
  });

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
    const received = async (i: number) =>
      (await readFile(path.join(directory, `p${i}.ndjson`), "utf8").catch(() => ""))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { id: string; projectId: string });

    await waitFor(
      async () => {
        const counts = await Promise.all(
          projects.map(async (_, i) => new Set((await received(i)).map((e) => e.id)).size),
        );
        return counts.every((count) => count === 40);
      },
      { timeoutMs: 30_000, description: "40 events in each project's file" },
    );
    for (const [i, projectId] of projects.entries()) {
      const got = await received(i);
      expect(got.every((e) => e.projectId === projectId)).toBe(true);
      expect([...new Set(got.map((e) => e.id))].sort()).toEqual(
        published
          .filter((e) => e.projectId === projectId)
          .map((e) => e.id)
          .sort(),
      );
    }
  });
});
