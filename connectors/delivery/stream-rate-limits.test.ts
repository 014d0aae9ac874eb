import { type EventStream, newEventStream } from "../../src/streams/event-stream";
import { StreamRateLimits } from "./stream-rate-limits";

const limited = (rateLimit?: number): EventStream => ({
  ...newEventStream({ projectId: "p1", type: "fake", config: {} }),
  id: "s1",
  ...(rateLimit !== undefined ? { rateLimit } : {}),
});

describe("StreamRateLimits", () => {
  it("grants a second's worth at once, then the rate as time goes by", () => {
    const clock = { now: 0 };
    const limits = new StreamRateLimits(() => clock.now);
    const stream = limited(100);
    expect(limits.take(stream, 150)).toBe(100);
    expect(limits.take(stream, 1)).toBe(0);
    expect(limits.waitMs(stream, 10)).toBe(100);
    clock.now += 250;
    expect(limits.available(stream)).toBe(25);
    expect(limits.take(stream, 30)).toBe(25);
    // Never more than a second's worth saved up, however long it was idle.
    clock.now += 60_000;
    expect(limits.available(stream)).toBe(100);
  });

  it("lets a stream without a limit send everything, and starts a changed limit afresh", () => {
    const clock = { now: 0 };
    const limits = new StreamRateLimits(() => clock.now);
    expect(limits.take(limited(), 10_000)).toBe(10_000);
    expect(limits.available(limited())).toBe(Number.POSITIVE_INFINITY);
    expect(limits.take(limited(5), 5)).toBe(5);
    expect(limits.take(limited(5), 5)).toBe(0);
    expect(limits.take(limited(20), 50)).toBe(20);
  });

  it("waits for at most a second's worth, however many are asked for", () => {
    const clock = { now: 0 };
    const limits = new StreamRateLimits(() => clock.now);
    const stream = limited(10);
    limits.take(stream, 10);
    expect(limits.waitMs(stream, 1_000)).toBe(1_000);
  });
});
