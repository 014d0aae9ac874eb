import type { Producer } from "kafkajs";
import pino from "pino";
import { Registry } from "prom-client";
import type { DomainEvent } from "../../src/events/domain-event";
import { type EventStream, newEventStream } from "../../src/streams/event-stream";
import { waitFor } from "../../src/util/wait-for";
import { createConnectorMetrics } from "../metrics/metrics";
import { FailedDeliveryWriter } from "../retry/failed-deliveries";
import { type DeliveryResult, defineSink, SinkRegistry } from "../sinks";
import { InThreadSinkCalls } from "../threads/sink-calls";
import { CircuitBreakers } from "./circuit-breaker";
import { GuardedDelivery } from "./guarded-delivery";
import { MAX_THROTTLED_IN_PLACE, SET_ASIDE_AFTER_MS, StreamDispatcher } from "./stream-dispatcher";
import { StreamRateLimits } from "./stream-rate-limits";

// Pure batching logic: the sink and the producer are fakes; end-to-end behaviour is tested against
// the real stack in test/integration.

function event(n: number, projectId = "p1"): DomainEvent {
  return {
    id: `e${n}`,
    name: "IdentityCreated",
    domain: "identities",
    version: "1",
    timestamp: new Date(),
    projectId,
    eventAttributes: {},
  };
}

function stream(id: string, type = "fake"): EventStream {
  return { ...newEventStream({ projectId: "p1", type, config: {} }), id };
}

function setup(
  outcome: (e: DomainEvent) => DeliveryResult = () => ({ outcome: "delivered" }),
  handOffFails = false,
  /** The sink's concurrency, and a call that each deliver awaits before it answers. */
  sink: { concurrency?: number; answer?: () => Promise<void>; ordered?: boolean } = {},
) {
  const calls: string[][] = [];
  const load = { inFlight: 0, most: 0 };
  const rateLimits = new StreamRateLimits();
  const sent: { topic: string; count: number }[] = [];
  const sinks = new SinkRegistry().register(
    defineSink<Record<string, never>>({
      type: "fake",
      description: "records calls",
      configSchema: { type: "object" },
      limits: { maxEvents: 3, concurrency: sink.concurrency },
      ...(sink.ordered ? { ordered: () => true } : {}),
      create: () => ({
        verify: async () => ({ ok: true }),
        deliver: async (_target, events) => {
          calls.push(events.map((e) => e.id));
          load.most = Math.max(load.most, ++load.inFlight);
          await sink.answer?.();
          load.inFlight--;
          return events.map(outcome);
        },
      }),
    }),
  );
  const producer = {
    sendBatch: async ({ topicMessages }: { topicMessages: { topic: string; messages: unknown[] }[] }) => {
      if (handOffFails) throw new Error("broker unavailable");
      for (const t of topicMessages) sent.push({ topic: t.topic, count: t.messages.length });
    },
  } as unknown as Producer;
  const metrics = createConnectorMetrics(new Registry());
  const dispatcher = new StreamDispatcher({
    sinks,
    writer: new FailedDeliveryWriter(producer, {
      tiers: [{ index: 0, name: "5s", delayMs: 5_000, topic: "retry" }],
      deadLetter: "dlq",
      parked: "parked",
      jitter: "full",
      misconfigurationTier: 0,
    }),
    rateLimits,
    guard: new GuardedDelivery({
      rateLimits,
      calls: new InThreadSinkCalls(sinks, { logger: pino({ level: "silent" }), env: {} }),
      breakers: new CircuitBreakers({ threshold: 1000, probeIntervalMs: 1000, autoPauseAfterMs: 0 }),
      metrics,
      logger: pino({ level: "silent" }),
      pauseStream: () => undefined,
    }),
    metrics,
    logger: pino({ level: "silent" }),
    lingerMs: 10,
  });
  const source = { topic: "t", partition: 0, offset: "0", value: Buffer.from("x") };
  return { dispatcher, calls, sent, source, load };
}

describe("StreamDispatcher", () => {
  it("sets aside deliveries that wait too long behind their stream's call, so their records can finish", async () => {
    const gate = new Promise<void>(() => undefined); // a destination that never answers
    const { dispatcher, calls, sent, source } = setup(undefined, false, { answer: () => gate });
    const slow = stream("slow");
    let inFlightSettled = false;
    void dispatcher.submit(slow, { event: event(1), source }).finally(() => {
      inFlightSettled = true;
    });
    await waitFor(() => calls.length === 1, { timeoutMs: 1_000, description: "the first call" });
    const waitingSince = Date.now();
    await Promise.all([2, 3, 4, 5].map((n) => dispatcher.submit(slow, { event: event(n), source })));
    expect(Date.now() - waitingSince).toBeGreaterThanOrEqual(SET_ASIDE_AFTER_MS - 5);
    expect(sent).toEqual([{ topic: "retry", count: 4 }]);
    // Only the call in flight is still the destination's; nothing else was sent to it.
    expect(calls).toEqual([["e1"]]);
    expect(inFlightSettled).toBe(false);
    expect(dispatcher.pending).toBe(1);
  });

  it("sends full batches at the sink's limit, the rest after the linger, in submission order", async () => {
    const { dispatcher, calls, source } = setup();
    const s = stream("s1");
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => dispatcher.submit(s, { event: event(n), source })));
    expect(calls).toEqual([["e1", "e2", "e3"], ["e4", "e5", "e6"], ["e7"]]);
  });

  it("keeps streams apart: each gets its own batches", async () => {
    const { dispatcher, calls, source } = setup();
    await Promise.all([
      dispatcher.submit(stream("a"), { event: event(1), source }),
      dispatcher.submit(stream("b"), { event: event(2), source }),
    ]);
    expect(calls.sort()).toEqual([["e1"], ["e2"]]);
  });

  it("settles a failed delivery only after it was handed to the retry or dead-letter topic", async () => {
    const { dispatcher, sent, source } = setup((e) =>
      e.id === "e1"
        ? { outcome: "retryable", code: "Throttled", message: "slow down" }
        : e.id === "e2"
          ? { outcome: "permanent", code: "TooLarge", message: "too big" }
          : { outcome: "delivered" },
    );
    const s = stream("s1");
    await Promise.all([1, 2, 3].map((n) => dispatcher.submit(s, { event: event(n), source })));
    expect(sent.sort((x, y) => x.topic.localeCompare(y.topic))).toEqual([
      { topic: "dlq", count: 1 },
      { topic: "retry", count: 1 },
    ]);
  });

  it("rejects the deliveries of a batch whose hand-off failed, so their offsets are not committed", async () => {
    const { dispatcher, source } = setup(
      () => ({ outcome: "retryable", code: "Down", message: "down" }),
      true,
    );
    await expect(dispatcher.submit(stream("s1"), { event: event(1), source })).rejects.toThrow(
      "broker unavailable",
    );
  });

  it("waits for the linger before sending a partial batch", async () => {
    const { dispatcher, calls, source } = setup();
    const pending = dispatcher.submit(stream("s1"), { event: event(1), source });
    expect(calls).toEqual([]);
    await waitFor(() => calls.length === 1, { timeoutMs: 2_000, intervalMs: 2 });
    await pending;
  });

  it("holds streams beyond the sink's concurrency and cuts their batches when a call ends", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { dispatcher, calls, source } = setup(undefined, false, { concurrency: 1, answer: () => gate });
    const first = dispatcher.submit(stream("a"), { event: event(1), source });
    await waitFor(() => calls.length === 1, { timeoutMs: 2_000, intervalMs: 2 });
    // b's events arrive one by one while a's call holds the only slot: no call for them yet...
    const b = stream("b");
    const waiting = [2, 3, 4, 5].map((n) => dispatcher.submit(b, { event: event(n), source }));
    await new Promise((resolve) => setTimeout(resolve, 30)); // past the 10 ms linger
    expect(calls).toEqual([["e1"]]);
    // ...and when it ends, b's batch is cut then: full, not the first event alone.
    release();
    await Promise.all([first, ...waiting]);
    expect(calls).toEqual([["e1"], ["e2", "e3", "e4"], ["e5"]]);
  });

  const roundTrip = () => new Promise<void>((resolve) => setTimeout(resolve, 20));
  const many = (n: number) => Array.from({ length: n }, (_, i) => event(i + 1));

  it("pipelines a busy stream whose destination keeps no order: several calls in flight", async () => {
    const { dispatcher, calls, source, load } = setup(undefined, false, { answer: roundTrip });
    const s = stream("busy");
    await Promise.all(many(90).map((e) => dispatcher.submit(s, { event: e, source })));
    expect(calls.flat().sort()).toEqual(
      many(90)
        .map((e) => e.id)
        .sort(),
    );
    expect(load.most).toBeGreaterThan(2);
    expect(dispatcher.concurrencyOf("busy")?.limit).toBeGreaterThan(2);
  });

  it("keeps one call in flight for a destination that keeps order, and its order", async () => {
    const { dispatcher, calls, source, load } = setup(undefined, false, { answer: roundTrip, ordered: true });
    const s = stream("fifo");
    await Promise.all(many(30).map((e) => dispatcher.submit(s, { event: e, source })));
    expect(load.most).toBe(1);
    expect(calls.flat()).toEqual(many(30).map((e) => e.id));
  });

  it("puts throttled deliveries back first in line, in order, and never counts them as failed", async () => {
    const tries = new Map<string, number>();
    const { dispatcher, calls, sent, source } = setup(
      (e) => {
        const n = (tries.get(e.id) ?? 0) + 1;
        tries.set(e.id, n);
        return e.id === "e1" && n <= 2
          ? { outcome: "retryable", code: "Throttled", message: "Rate exceeded", throttled: true }
          : { outcome: "delivered" };
      },
      false,
      { ordered: true },
    );
    const s = stream("throttled");
    await Promise.all(many(3).map((e) => dispatcher.submit(s, { event: e, source })));
    expect(sent).toEqual([]);
    // e1 first each time: an ordered stream's order holds through throttling.
    expect(calls.map((c) => c[0])).toEqual(["e1", "e1", "e1"]);
  });

  it("hands a delivery its destination keeps throttling to the retry path, as throttled", async () => {
    const { dispatcher, calls, sent, source } = setup(() => ({
      outcome: "retryable",
      code: "HTTP429",
      message: "slow down",
      throttled: true,
    }));
    await dispatcher.submit(stream("always"), { event: event(1), source });
    expect(calls).toHaveLength(MAX_THROTTLED_IN_PLACE + 1);
    expect(sent).toEqual([{ topic: "retry", count: 1 }]);
  });

  it("sends at most the stream's rate limit, and more than a second's worth goes to the retry path", async () => {
    const { dispatcher, calls, sent, source } = setup();
    const s = { ...stream("limited"), rateLimit: 4 };
    const started = performance.now();
    await Promise.all(many(10).map((e) => dispatcher.submit(s, { event: e, source })));
    const seconds = (performance.now() - started) / 1000;
    const retried = sent.reduce((n, x) => n + x.count, 0);
    expect(sent.every((x) => x.topic === "retry")).toBe(true);
    expect(calls.flat().length + retried).toBe(10);
    expect(retried).toBeGreaterThan(0);
    // A second's worth at once, then four a second.
    expect(calls.flat().length).toBeLessThanOrEqual(4 + Math.ceil(4 * seconds));
  });

  it("drops the unsent deliveries of partitions a rebalance moved away, and only those", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { dispatcher, calls, source } = setup(undefined, false, { answer: () => gate, ordered: true });
    const s = stream("moved");
    const at = (partition: number) => ({ ...source, partition });
    const first = dispatcher.submit(s, { event: event(1), source: at(0) });
    await waitFor(() => calls.length === 1, { timeoutMs: 2_000, intervalMs: 2 });
    const kept = dispatcher.submit(s, { event: event(2), source: at(0) });
    const moved = dispatcher.submit(s, { event: event(3), source: at(1) });
    expect(dispatcher.dropUnowned((_topic, partition) => partition === 0)).toBe(1);
    await moved; // settled without a call: the partition's new owner sends it
    release();
    await Promise.all([first, kept]);
    expect(calls.flat()).toEqual(["e1", "e2"]);
  });
});
