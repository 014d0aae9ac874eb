import { AdaptiveConcurrency, type CallSignal } from "./adaptive-concurrency";

/**
 * A destination on a fake clock: each call takes `rttMs(inFlight)`; the controller's calls run in
 * rounds of `limit` calls at once (a stream with more events than it may send), `rounds` times.
 */
function drive(
  controller: AdaptiveConcurrency,
  clock: { now: number },
  rounds: number,
  answer: (inFlight: number) => { rttMs: number; signal?: CallSignal },
): number[] {
  const limits: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const inFlight = controller.limit;
    for (let i = 1; i <= inFlight; i++) controller.started(i);
    const { rttMs, signal = "ok" } = answer(inFlight);
    clock.now += rttMs;
    for (let i = 0; i < inFlight; i++) controller.ended(rttMs, signal);
    limits.push(controller.limit);
  }
  return limits;
}

describe("AdaptiveConcurrency", () => {
  const setup = (max = 32) => {
    const clock = { now: 0 };
    return { clock, controller: new AdaptiveConcurrency({ initial: 1, max }, () => clock.now) };
  };

  it("grows to the operator's bound while round trips stay flat: doubling, then capped", () => {
    const { clock, controller } = setup(32);
    const limits = drive(controller, clock, 8, () => ({ rttMs: 20 }));
    expect(limits.slice(0, 5)).toEqual([2, 4, 8, 16, 32]);
    expect(limits.at(-1)).toBe(32);
  });

  it("does not grow a stream that does not use the calls it has", () => {
    const { clock, controller } = setup();
    for (let i = 0; i < 10; i++) {
      clock.now += 20;
      controller.ended(20, "ok"); // one call at a time, never at the limit: started() not at it
    }
    expect(controller.limit).toBe(1);
  });

  it("shrinks on throttling, then grows by one at a time", () => {
    const { clock, controller } = setup();
    drive(controller, clock, 4, () => ({ rttMs: 20 }));
    expect(controller.limit).toBe(16);
    drive(controller, clock, 1, () => ({ rttMs: 20, signal: "throttled" }));
    expect(controller.limit).toBe(14);
    const after = drive(controller, clock, 3, () => ({ rttMs: 20 }));
    expect(after).toEqual([15, 16, 17]);
  });

  it("shrinks on timeouts, never below one", () => {
    const { clock, controller } = setup();
    drive(controller, clock, 2, () => ({ rttMs: 20 }));
    const limits = drive(controller, clock, 6, () => ({ rttMs: 30_000, signal: "timeout" }));
    expect(limits.at(-1)).toBe(1);
    expect(limits.every((l) => l >= 1)).toBe(true);
  });

  it("settles near what a destination sustains when its round trip rises past that", () => {
    // Eight calls at once in 20 ms; more queue at the destination and take longer.
    const { clock, controller } = setup(64);
    const capacity = 8;
    const limits = drive(controller, clock, 200, (inFlight) => ({
      rttMs: inFlight <= capacity ? 20 : (20 * inFlight) / capacity,
    }));
    const settled = limits.slice(-100);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(capacity / 2);
    expect(Math.max(...settled)).toBeLessThanOrEqual(capacity * 2);
  });

  it("leaves plain failures to the retry path: they neither grow nor shrink it", () => {
    const { clock, controller } = setup();
    drive(controller, clock, 3, () => ({ rttMs: 20 }));
    const before = controller.limit;
    drive(controller, clock, 3, () => ({ rttMs: 20, signal: "failed" }));
    expect(controller.limit).toBe(before);
  });
});
