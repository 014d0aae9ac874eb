import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { connectorPauseKey, serializeConnectorPause } from "../../../src/streams/connector-pause";
import { serializeEventStream } from "../../../src/streams/event-stream";
import { StreamRegistry } from "../../../src/streams/stream-registry";
import { StreamStore } from "../../../src/streams/stream-store";
import { waitFor } from "../../../src/util/wait-for";
import { testKafka } from "../../../support/clients";
import { uniqueName } from "../../../support/unique";
import { sampleStream } from "../../support/streams";

describe("StreamRegistry on the compacted config topic", () => {
  let kafka: Kafka;
  const stoppers: (() => Promise<unknown>)[] = [];

  beforeAll(() => {
    kafka = testKafka("stream-registry-test");
  });

  afterEach(async () => {
    await Promise.all(stoppers.splice(0).map((stop) => stop()));
  });

  async function startStore(topic: string): Promise<{ registry: StreamRegistry; store: StreamStore }> {
    const registry = new StreamRegistry({ kafka, topic });
    await registry.start();
    const store = new StreamStore({ kafka, registry });
    await store.start();
    stoppers.push(
      () => store.stop(),
      () => registry.stop(),
    );
    return { registry, store };
  }

  it("creates a compacted topic idempotently, and a write is visible when put resolves", async () => {
    const topic = uniqueName("eventstreams.config");
    const { registry, store } = await startStore(topic);
    const stream = sampleStream();
    await store.put(stream);
    expect(registry.get(stream.id)).toEqual(stream);
    expect(registry.streamsFor(stream.projectId)).toEqual([stream]);

    const admin = kafka.admin();
    await admin.connect();
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topic, configNames: ["cleanup.policy"] }],
    });
    await admin.disconnect();
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe("compact");
    // A second registry on the same topic: topic creation is a no-op, and it catches up before ready.
    const again = new StreamRegistry({ kafka, topic });
    stoppers.push(() => again.stop());
    await again.start();
    expect(again.get(stream.id)).toEqual(stream);
  });

  it("replays updates and tombstones in order into a fresh registry", async () => {
    const topic = uniqueName("eventstreams.config");
    const { store } = await startStore(topic);
    const projectId = sampleStream().projectId;
    const kept = sampleStream({ projectId });
    const deleted = sampleStream({ projectId });
    await store.put(kept);
    await store.put(deleted);
    await store.put({ ...kept, status: "paused", revision: 2 });
    await store.delete(deleted.id);

    const fresh = new StreamRegistry({ kafka, topic });
    stoppers.push(() => fresh.stop());
    const changes: string[] = [];
    fresh.on("change", (id: string) => changes.push(id));
    await fresh.start();
    expect(fresh.size).toBe(1);
    expect(fresh.get(kept.id)?.revision).toBe(2);
    expect(fresh.get(deleted.id)).toBeUndefined();
    expect(fresh.streamsFor(projectId).map((s) => s.id)).toEqual([kept.id]);
    expect(changes).toEqual([kept.id, deleted.id, kept.id, deleted.id]);
  });

  it("lets a connector's pause hold only at the revision it paused: a racing API update survives, a deleted stream stays deleted", async () => {
    const topic = uniqueName("eventstreams.config");
    const { registry, store } = await startStore(topic);
    const raced = sampleStream();
    await store.put(raced);
    const seenByConnector = registry.get(raced.id);
    if (!seenByConnector) throw new Error("the stream was not applied");
    // The API changes the filter while a connector, still at revision 1, pauses the stream.
    const updated = await store.put({ ...raced, eventTypes: ["identity.created"], revision: 2 });
    await store.pauseForConnector(seenByConnector, "paused by the connector: Gone");
    expect(registry.get(raced.id)).toEqual(updated);

    // A pause of the current revision holds, with its reason, until the API's next write.
    await store.pauseForConnector(updated, "paused by the connector: Gone");
    expect(registry.get(raced.id)).toMatchObject({
      status: "paused",
      revision: 2,
      eventTypes: ["identity.created"],
      pausedReason: "paused by the connector: Gone",
    });
    const resumed = await store.put({ ...updated, revision: 3 });
    expect(registry.get(raced.id)).toEqual(resumed);

    const deleted = sampleStream();
    await store.put(deleted);
    await store.delete(deleted.id);
    await store.pauseForConnector(deleted, "paused by the connector: Gone");
    expect(registry.get(deleted.id)).toBeUndefined();

    const fresh = new StreamRegistry({ kafka, topic });
    stoppers.push(() => fresh.stop());
    await fresh.start();
    expect(fresh.get(raced.id)).toEqual(resumed);
    expect(fresh.get(deleted.id)).toBeUndefined();
    expect(fresh.size).toBe(1);
  });

  it("reads a log as compaction leaves it: a pause before its stream's later revision does not hold", async () => {
    const topic = uniqueName("eventstreams.config");
    const { store } = await startStore(topic);
    const stream = sampleStream({ revision: 6 });
    const stale = { streamId: stream.id, revision: 5, pausedAt: new Date().toISOString(), reason: "old" };
    // Compaction keeps the latest record of each key in offset order: the pause of revision 5 came
    // after revision 5's record (now gone) and before revision 6's.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: connectorPauseKey(stream.id), value: serializeConnectorPause(stale) },
        { key: stream.id, value: serializeEventStream(stream) },
      ],
    });
    await producer.disconnect();
    const fresh = new StreamRegistry({ kafka, topic });
    stoppers.push(() => fresh.stop());
    await fresh.start();
    expect(fresh.get(stream.id)).toEqual(stream);
    expect(fresh.hasConnectorPause(stream.id)).toBe(false);
    // A pause of the revision the stream is at holds for a fresh reader too.
    await store.pauseForConnector(stream, "now");
    const again = new StreamRegistry({ kafka, topic });
    stoppers.push(() => again.stop());
    await again.start();
    expect(again.get(stream.id)).toMatchObject({ status: "paused", revision: 6, pausedReason: "now" });
  });

  it("a registry in another process sees a change in under one second", async () => {
    const topic = uniqueName("eventstreams.config");
    const { store } = await startStore(topic);
    const lines: { event: string; id?: string; revision?: number; at: number }[] = [];
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      ["--import", "tsx", path.join(__dirname, "../../support/registry-watcher.ts"), topic],
      { env: process.env },
    );
    stoppers.push(async () => {
      child.kill("SIGTERM");
    });
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const part of parts) lines.push(JSON.parse(part));
    });
    await waitFor(() => lines.some((l) => l.event === "ready"), {
      timeoutMs: 30_000,
      description: "the watcher process to be ready",
    });

    const latencies: number[] = [];
    for (let revision = 1; revision <= 5; revision++) {
      const stream = sampleStream({ revision });
      const sentAt = Date.now();
      await store.put(stream);
      const seen = await waitFor(() => lines.find((l) => l.event === "change" && l.id === stream.id), {
        timeoutMs: 5_000,
        intervalMs: 10,
        description: `the watcher to see ${stream.id}`,
      });
      latencies.push(seen.at - sentAt);
    }
    process.stderr.write(`cross-process change latency ms: ${latencies.join(", ")}\n`);
    expect(Math.max(...latencies)).toBeLessThan(1000);
  });
});
