import { randomUUID } from "node:crypto";
import { delay, waitFor } from "../../../src/util/wait-for";
import type { FakeCall } from "../../../support/fake-sink";
import { type RetryHarness, startRetryHarness } from "../../../support/retry-harness";

const down = { outcome: "retryable", code: "ServiceUnavailable", message: "down" } as const;

describe("circuit breaker", () => {
  let h: RetryHarness;

  beforeAll(async () => {
    h = await startRetryHarness({
      EVENTSTREAMS_RETRY_LADDER: "1s,2s,4s",
      EVENTSTREAMS_RETRY_JITTER: "none",
      EVENTSTREAMS_BREAKER_THRESHOLD: "5",
      EVENTSTREAMS_BREAKER_PROBE_INTERVAL: "400ms",
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it("opens after N failures (the destination then sees only probes) and closes after recovery", async () => {
    const stream = await h.fakeStream();
    let healthy = false;
    h.fakes.set(stream.id, () => (healthy ? { outcome: "delivered" } : down));
    const breakers = h.connector.connector.breakers;
    const ids = await h.publish(stream.projectId, 60);
    await waitFor(() => breakers.health(stream.id).status === "circuit-open", {
      timeoutMs: 20_000,
      description: "the circuit open",
    });
    const atOpen = h.fakes.callsOf(stream.id).length;
    // Observation window (not a readiness wait): 2 s at one probe event per 400 ms.
    const windowMs = 2_000;
    await delay(windowMs);
    const probes = h.fakes.callsOf(stream.id).length - atOpen;
    process.stdout.write(`breaker: ${atOpen} calls before opening, ${probes} in ${windowMs} ms while open\n`);
    expect(probes).toBeLessThanOrEqual(windowMs / 400 + 1);
    expect(atOpen).toBeLessThan(ids.length);

    healthy = true;
    await waitFor(() => breakers.health(stream.id).status === "healthy", {
      timeoutMs: 10_000,
      description: "the circuit closed by a successful probe",
    });
    await waitFor(() => h.fakes.deliveredIds(stream.id).size === ids.length, {
      timeoutMs: 30_000,
      description: () => `all delivered after recovery (${h.fakes.deliveredIds(stream.id).size})`,
    });
  }, 60_000);
});

/**
 * Isolation: project A's destination is down (each call takes 300 ms and fails), B's is healthy.
 * B's delivery time and latency with A failing are compared with B alone; the figures are printed.
 */
describe("isolation of a failing destination", () => {
  let h: RetryHarness;
  const COUNT = Number(process.env.ISOLATION_EVENTS ?? 1_000);

  beforeAll(async () => {
    h = await startRetryHarness({ EVENTSTREAMS_RETRY_LADDER: "1s,2s,4s" });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  async function measureB(): Promise<{
    ms: number;
    p50: number;
    p99: number;
    rate: number;
    from: number;
    to: number;
  }> {
    const b = await h.fakeStream();
    h.fakes.set(b.id, () => ({ outcome: "delivered" }), 2);
    const started = Date.now();
    const ids = await h.publish(b.projectId, COUNT);
    await waitFor(() => h.fakes.deliveredIds(b.id).size === ids.length, {
      timeoutMs: 60_000,
      intervalMs: 20,
      description: "B's events delivered",
    });
    const calls = h.fakes.callsOf(b.id);
    const ms = Math.max(...calls.map((c) => c.at)) - started;
    const latencies = calls.map((c: FakeCall) => c.at - c.eventAt).sort((x, y) => x - y);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
    return {
      ms,
      p50: pct(0.5),
      p99: pct(0.99),
      rate: Math.round((COUNT * 1000) / ms),
      from: started,
      to: Math.max(...calls.map((c) => c.at)),
    };
  }

  /**
   * B measured while A's events flow too: A healthy (the same load) or A down. B starts once A's
   * destination has answered at least once, so B's whole run overlaps A's failing calls.
   */
  async function measureBWithA(aDown: boolean) {
    const a = await h.fakeStream(randomUUID());
    const callMs = aDown ? 300 : 2;
    h.fakes.set(a.id, aDown ? () => down : () => ({ outcome: "delivered" }), callMs);
    const publishingA = h.publish(a.projectId, COUNT);
    await waitFor(() => h.fakes.callsOf(a.id).length > 0, { timeoutMs: 20_000, description: "A called" });
    const b = await measureB();
    await publishingA;
    // A call of A's is recorded when it ends: one that ended after B began, and began before B
    // ended, was under way during B's run (B is quicker than one of A's failing calls).
    if (aDown)
      await waitFor(() => h.fakes.callsOf(a.id).some((c) => c.at >= b.from), {
        timeoutMs: 20_000,
        description: "A's call under way during B's run",
      });
    const underWay = (c: FakeCall) => c.at >= b.from && c.at - callMs <= b.to;
    return { ...b, aCallsDuringB: h.fakes.callsOf(a.id).filter(underWay).length };
  }

  it("keeps B's delivery rate and latency when A's destination is down", async () => {
    const alone = await measureB();
    const withAHealthy = await measureBWithA(false);
    const withADown = await measureBWithA(true);
    const report = (m: typeof alone) => `${m.ms} ms, ${m.rate}/s, latency p50 ${m.p50} ms p99 ${m.p99} ms`;
    process.stdout.write(
      `isolation (${COUNT} events for B): alone ${report(alone)}; with A healthy ${report(withAHealthy)}; ` +
        `with A down ${report(withADown)} (A's destination answered ${withADown.aCallsDuringB} events with a failure meanwhile)\n`,
    );
    // Generous bounds for a shared 2-core box; the printed figures are the measurement.
    expect(withADown.aCallsDuringB).toBeGreaterThan(0);
    expect(withADown.ms).toBeLessThan(withAHealthy.ms * 2 + 2_000);
    expect(withADown.p99).toBeLessThan(withAHealthy.p99 * 2 + 2_000);
  }, 120_000);
});
