import { randomUUID } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pino from "pino";
import { type RunningConnector, startConnector } from "../../../connectors/run-connector";
import { createSinkRegistry } from "../../../connectors/sinks";
import { connectorConfig } from "../../../src/settings/connector-settings";
import { waitFor } from "../../../src/util/wait-for";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { startTestApi, type TestApi } from "../../support/api";
import { createPublisherRole, createTopic, createTopicWithQueue } from "../../support/aws-fixtures";
import { receiveMessages } from "../../support/sqs";

/**
 * Every tenant may create and delete streams without end: what the API keeps per stream (the
 * registry's maps and lists, the clients and credentials that verification made for each role)
 * must go with the stream. 5,000 streams, each with a role of its own and in a project of its own,
 * verified against the AWS emulator (AssumeRole, then a test message), then deleted.
 */
const STREAMS = 5_000;
const CONCURRENCY = 16;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

describe("5,000 streams that come and go", () => {
  let api: TestApi;
  const sinks = createSinkRegistry();
  const snsCaches = () => sinks.created("sns")?.cached?.() ?? {};

  beforeAll(async () => {
    api = await startTestApi({ sinks });
  });
  afterAll(async () => {
    await api?.close();
  });

  async function createAndDelete(count: number, topicArn: string, onPeak?: () => void): Promise<void> {
    const ids: Array<{ projectId: string; id: string }> = [];
    const began = Date.now();
    await inParallel(count, async (i) => {
      const projectId = randomUUID();
      const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
        body: {
          type: "sns",
          topic_arn: topicArn,
          role_arn: `arn:aws:iam::123456789012:role/tenant-${i}-${projectId}`,
        },
      });
      if (created.status !== 201)
        throw new Error(`create ${i}: ${created.status} ${JSON.stringify(created.body)}`);
      ids.push({ projectId, id: created.body.id });
      if (ids.length % 500 === 0)
        process.stderr.write(`created ${ids.length} streams, ${Date.now() - began} ms\n`);
    });
    onPeak?.();
    await inParallel(ids.length, async (i) => {
      const { projectId, id } = ids[i] as { projectId: string; id: string };
      const deleted = await api.call("DELETE", `/projects/${projectId}/eventstreams/${id}`);
      if (deleted.status !== 204) throw new Error(`delete ${id}: ${deleted.status}`);
    });
  }

  // About 7 ms a stream on this machine (its verification is an AssumeRole and a Publish).
  it("keeps no clients, credentials, lists or heap for them once they are deleted", async () => {
    // No queue subscribed: the emulator's queue slows down with every message it holds, and the
    // 5,000 verification messages are not what this test is about.
    const topicArn = await createTopic();
    // Warm-up: the SDK's modules, the routes and the caches' own structures exist from here on.
    await createAndDelete(50, topicArn);
    const baselineStreams = api.registry.size;
    const baselineHeap = heapAfterGc();

    let peak: { caches: Record<string, number>; streams: number; heap: number } | undefined;
    await createAndDelete(STREAMS, topicArn, () => {
      peak = { caches: snsCaches(), streams: api.registry.size, heap: heapAfterGc() };
    });
    const after = {
      caches: snsCaches(),
      streams: api.registry.size,
      lists: api.registry.cachedLists,
      heap: heapAfterGc(),
    };
    const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    process.stderr.write(
      `${JSON.stringify({ baselineHeapMiB: mib(baselineHeap), peakHeapMiB: mib(peak?.heap ?? 0), afterHeapMiB: mib(after.heap), peak: peak?.caches, after: after.caches })}\n`,
    );

    // At the peak every stream held its role's client and credentials: the test measures something.
    expect(peak?.streams).toBe(baselineStreams + STREAMS);
    expect(peak?.caches).toMatchObject({ clients: STREAMS, credentials: STREAMS });
    // 300 streams held 9 MiB at their peak, about 30 KiB each (a client, its credentials, the stream).
    expect((peak?.heap ?? 0) - baselineHeap).toBeGreaterThan(STREAMS * 10 * 1024);
    // And after: nothing of theirs is left.
    expect(after).toMatchObject({
      streams: baselineStreams,
      lists: 0,
      caches: { clients: 0, credentials: 0 },
    });
    expect(after.heap - baselineHeap).toBeLessThan(16 * 2 ** 20);
  }, 300_000);
});

describe("a connector's caches for a stream that changes or goes", () => {
  let pipeline: Pipeline;
  let connector: RunningConnector;
  const sinks = createSinkRegistry();
  const snsCaches = () => sinks.created("sns")?.cached?.() ?? {};

  beforeAll(async () => {
    pipeline = await createPipeline(1);
    const config = connectorConfig({}, { ...process.env, ...pipeline.env });
    connector = await startConnector(config, pino({ level: "silent" }), { sinks });
  });
  afterAll(async () => {
    await connector?.stop();
    await pipeline?.close();
  });

  it("forgets the old role's credentials, signer and client when the role changes, and all of it on delete", async () => {
    const projectId = randomUUID();
    const { topicArn, queueUrl } = await createTopicWithQueue();
    const [roleA, roleB] = [
      await createPublisherRole(projectId, topicArn),
      await createPublisherRole(projectId, topicArn),
    ];
    // The lean transport (the default) holds credentials and a signer per role; the SDK's, a client.
    const held = () => {
      const { clients = 0, credentials = 0, signers = 0 } = snsCaches();
      return { credentials, perRole: clients + signers };
    };
    const stream = await pipeline.addStream({ projectId, config: { topicArn, roleArn: roleA } });
    await pipeline.publisher.publish({ name: "IdentityCreated", projectId });
    await receiveMessages(queueUrl, 1);
    expect(held()).toEqual({ credentials: 1, perRole: 1 });

    await pipeline.addStream({
      ...stream,
      config: { topicArn, roleArn: roleB },
      revision: stream.revision + 1,
    });
    await waitFor(() => held().credentials === 0 && held().perRole === 0, {
      timeoutMs: 10_000,
      description: "role A's credentials and signer forgotten",
    });
    await pipeline.publisher.publish({ name: "IdentityCreated", projectId });
    await receiveMessages(queueUrl, 1);
    expect(held()).toEqual({ credentials: 1, perRole: 1 });

    await pipeline.removeStream(stream.id);
    await waitFor(() => held().credentials === 0 && held().perRole === 0, {
      timeoutMs: 10_000,
      description: "role B's credentials and signer forgotten",
    });
    expect(connector.connector.breakers.openCount).toBe(0);
  });
});

/** Runs `task(0..count-1)` with CONCURRENCY at a time. */
async function inParallel(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
