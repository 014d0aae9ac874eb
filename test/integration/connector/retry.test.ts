import { randomUUID } from "node:crypto";
import { H, listDeadLetters, redriveDeadLetters } from "../../../src/retry";
import { delay, waitFor } from "../../../src/util/wait-for";
import { type RetryHarness, startRetryHarness } from "../../../support/retry-harness";
import { consumeRaw, type RawRecord } from "../../support/domain-topics-fixture";

/**
 * The retry path against the real Kafka, with destinations the test controls (fake sinks in a
 * test SinkRegistry): a scaled ladder of 300 ms, 600 ms, 1.2 s without jitter, so attempt times
 * can be checked against it.
 */
const LADDER = [300, 600, 1_200];
/** Lateness allowed per step: a resumed partition waits for the next fetch, commits, a busy CI box. */
const LATE_MS = 1_500;

describe("retry ladder and dead-letter topic", () => {
  let h: RetryHarness;

  beforeAll(async () => {
    h = await startRetryHarness({
      EVENTSTREAMS_RETRY_LADDER: "300ms,600ms,1200ms",
      EVENTSTREAMS_RETRY_JITTER: "none",
      EVENTSTREAMS_RETRY_MISCONFIGURATION_TIER: "0",
      EVENTSTREAMS_BREAKER_THRESHOLD: "100000",
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it("retries each failed delivery on the ladder, never early, and delivers once the destination recovers", async () => {
    const stream = await h.fakeStream();
    // Down for the first three attempts of every event, then back.
    h.fakes.set(stream.id, (_e, attempt) =>
      attempt <= 3
        ? { outcome: "retryable", code: "ServiceUnavailable", message: "down" }
        : { outcome: "delivered" },
    );
    const ids = await h.publish(stream.projectId, 40);
    await waitFor(() => h.fakes.deliveredIds(stream.id).size === ids.length, {
      timeoutMs: 60_000,
      description: () => `all ${ids.length} delivered (have ${h.fakes.deliveredIds(stream.id).size})`,
    });
    const gaps: number[][] = [[], [], []];
    for (const id of ids) {
      const times = h.fakes
        .callsOf(stream.id)
        .filter((c) => c.eventId === id)
        .map((c) => c.at);
      expect(times).toHaveLength(4);
      for (let k = 0; k < 3; k++) {
        const gap = (times[k + 1] as number) - (times[k] as number);
        gaps[k]?.push(gap);
        expect(gap).toBeGreaterThanOrEqual((LADDER[k] as number) - 5);
        expect(gap).toBeLessThanOrEqual((LADDER[k] as number) + LATE_MS);
      }
    }
    const summary = gaps.map((g, k) => `${LADDER[k]}ms step: ${Math.min(...g)}..${Math.max(...g)} ms`);
    process.stdout.write(`ladder: observed gaps between attempts ${summary.join("; ")}\n`);
  }, 90_000);

  it("parks a never-succeeding stream's deliveries in the dead-letter topic with their full history; redrive delivers them once", async () => {
    const stream = await h.fakeStream();
    let fixed = false;
    h.fakes.set(stream.id, () =>
      fixed
        ? { outcome: "delivered" }
        : { outcome: "retryable", code: "AccessDenied", message: "not allowed" },
    );
    const ids = await h.publish(stream.projectId, 25);
    const topics = h.pipeline.topics;
    const letters = await waitFor(
      async () => {
        const found = await listDeadLetters(h.pipeline.kafka, topics, { projectId: stream.projectId });
        return found.length === ids.length ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, description: "25 dead letters" },
    );
    for (const d of letters) {
      expect(d).toMatchObject({
        streamId: stream.id,
        reason: "retries-exhausted",
        attempts: 4,
        redriven: false,
      });
      expect(d.history.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
      expect(d.history.every((e) => e.code === "AccessDenied" && e.sink === "fake")).toBe(true);
    }
    expect(h.fakes.callsOf(stream.id)).toHaveLength(ids.length * 4);

    fixed = true;
    const tier = { index: 0, name: "300ms", delayMs: 300, topic: topics.retryTier("300ms") };
    const dry = await redriveDeadLetters(
      h.pipeline.kafka,
      topics,
      tier,
      { projectId: stream.projectId },
      { dryRun: true },
    );
    expect(dry).toMatchObject({ matched: 25, redriven: 25 });
    const first = await redriveDeadLetters(h.pipeline.kafka, topics, tier, { projectId: stream.projectId });
    expect(first).toEqual({ matched: 25, alreadyRedriven: 0, redriven: 25 });
    await waitFor(() => h.fakes.deliveredIds(stream.id).size === ids.length, {
      timeoutMs: 30_000,
      description: "every redriven delivery delivered",
    });
    const second = await redriveDeadLetters(h.pipeline.kafka, topics, tier, { projectId: stream.projectId });
    expect(second).toEqual({ matched: 25, alreadyRedriven: 25, redriven: 0 });
    // Let a second redrive's records (if any had been written) reach the tier consumer: none may arrive.
    const calls = h.fakes.callsOf(stream.id).length;
    await waitFor(
      async () =>
        (await listDeadLetters(h.pipeline.kafka, topics, { projectId: stream.projectId })).every(
          (d) => d.redriven,
        ),
      {
        timeoutMs: 10_000,
        description: "all dead letters marked redriven",
      },
    );
    expect(h.fakes.callsOf(stream.id).length).toBe(calls);
    expect(h.fakes.callsOf(stream.id).filter((c) => c.outcome === "delivered")).toHaveLength(ids.length);
  }, 120_000);

  it("sends permanent failures straight to the dead-letter topic and pauses a stream whose destination is gone", async () => {
    const stream = await h.fakeStream();
    h.fakes.set(stream.id, () => ({
      outcome: "permanent",
      code: "Gone",
      message: "HTTP 410",
      pauseStream: true,
    }));
    const ids = await h.publish(stream.projectId, 5);
    await waitFor(() => h.pipeline.streams.get(stream.id)?.status === "paused", {
      timeoutMs: 30_000,
      description: "the stream paused by the connector",
    });
    expect(h.pipeline.streams.get(stream.id)?.pausedReason).toMatch(/Gone: HTTP 410/);
    const letters = await waitFor(
      async () => {
        const found = await listDeadLetters(h.pipeline.kafka, h.pipeline.topics, {
          projectId: stream.projectId,
        });
        return found.length >= 1 ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500, description: "dead letters" },
    );
    // Events after the pause are not delivered at all (a paused stream receives nothing).
    expect(letters.length).toBeLessThanOrEqual(ids.length);
    expect(letters.every((d) => d.reason === "permanent-failure" && d.attempts === 1)).toBe(true);
  }, 60_000);

  it("keeps a paused stream's retries without calling it and delivers them after resume", async () => {
    const paused = await h.fakeStream();
    let down = true;
    h.fakes.set(paused.id, () =>
      down ? { outcome: "retryable", code: "Timeout", message: "slow" } : { outcome: "delivered" },
    );
    const ids = await h.publish(paused.projectId, 10);
    await waitFor(() => h.fakes.callsOf(paused.id).length >= ids.length, {
      timeoutMs: 20_000,
      description: "first attempts",
    });
    const pausedStream = await h.pipeline.addStream({ ...paused, status: "paused", revision: 2 });
    down = false;
    await waitFor(() => h.connector.streams.get(paused.id)?.status === "paused", {
      timeoutMs: 10_000,
      description: "the connector sees the pause",
    });
    const callsAtPause = h.fakes.callsOf(paused.id).length;
    // An observation window longer than the whole ladder (not a readiness wait): without the
    // pause, every retry would have been delivered or dead-lettered by its end.
    await delay(3_000);
    // At most the one round that was already in flight when the pause arrived.
    expect(h.fakes.callsOf(paused.id).length).toBeLessThanOrEqual(callsAtPause + ids.length);
    const letters = await listDeadLetters(h.pipeline.kafka, h.pipeline.topics, {
      projectId: paused.projectId,
    });
    expect(letters).toHaveLength(0);
    await h.pipeline.addStream({ ...pausedStream, status: "active", pausedAt: null, revision: 3 });
    await waitFor(() => h.fakes.deliveredIds(paused.id).size === ids.length, {
      timeoutMs: 30_000,
      description: () =>
        `paused stream's backlog delivered after resume (${h.fakes.deliveredIds(paused.id).size})`,
    });
  }, 90_000);

  it("dead-letters a retry record whose project is not its stream's, under no project, and delivers nothing", async () => {
    const victim = await h.fakeStream();
    h.fakes.set(victim.id, () => ({ outcome: "delivered" }));
    // Another project's event, as the main path wrote it (that project has no stream: nothing goes out).
    const other = randomUUID();
    await h.publish(other, 1);
    const records: RawRecord[] = [];
    const reader = await consumeRaw(h.pipeline.prefix, records, h.pipeline.kafka);
    const source = await waitFor(() => records.find((r) => r.key === other), {
      timeoutMs: 20_000,
      description: "the other project's record",
    });
    await reader.disconnect();
    // Retry records that name the victim's stream: one claiming the victim's project, one the event's.
    const producer = h.pipeline.kafka.producer();
    await producer.connect();
    for (const claimed of [victim.projectId, other]) {
      await producer.send({
        topic: h.pipeline.topics.retryTier("300ms"),
        messages: [
          {
            key: victim.id,
            value: source.value,
            headers: {
              [H.streamId]: victim.id,
              [H.projectId]: claimed,
              [H.dueAt]: new Date().toISOString(),
              [H.attempt]: "1",
              [H.sourceTopic]: source.topic,
              [H.sourcePartition]: String(source.partition),
              [H.sourceOffset]: source.message.offset,
            },
          },
        ],
      });
    }
    await producer.disconnect();
    const letters = await waitFor(
      async () => {
        const found = await listDeadLetters(h.pipeline.kafka, h.pipeline.topics, { projectId: "" });
        return found.length >= 2 ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: "two tenant-mismatch dead letters" },
    );
    expect(letters.map((d) => d.history.at(-1)?.code)).toEqual(["tenant-mismatch", "tenant-mismatch"]);
    expect(
      await listDeadLetters(h.pipeline.kafka, h.pipeline.topics, { projectId: victim.projectId }),
    ).toEqual([]);
    expect(h.fakes.callsOf(victim.id)).toEqual([]);
  }, 60_000);
});
