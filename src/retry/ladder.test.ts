import { formatDuration, parseLadder } from "./ladder";
import { placeFailure, type RetryPolicy } from "./retry-policy";

const policy = (misconfigurationTier = 2): RetryPolicy => ({
  tiers: parseLadder("5s,30s,2m,10m").map((t) => ({ ...t, topic: `retry.${t.name}` })),
  deadLetter: "dlq",
  parked: "parked",
  jitter: "full",
  misconfigurationTier,
});

describe("retry ladder", () => {
  it("never lets a destination's Retry-After wait beyond the last step, and ignores what is not a number", () => {
    const p = policy();
    for (const absurd of [1e16, 8.64e15, Number.MAX_SAFE_INTEGER]) {
      expect(placeFailure(p, { permanent: false, retryAfterMs: absurd }, 0, 0, () => 1)).toEqual({
        kind: "tier",
        tier: expect.objectContaining({ name: "10m" }),
        dueAt: 600_000,
      });
    }
    for (const junk of [Number.NaN, Number.POSITIVE_INFINITY, -1, 0]) {
      expect(placeFailure(p, { permanent: false, retryAfterMs: junk }, undefined, 0, () => 1)).toMatchObject({
        tier: { name: "5s" },
        dueAt: 5_000,
      });
    }
  });

  it("parses, names and checks the ladder", () => {
    expect(parseLadder("200ms, 1s,2m,6h").map((t) => t.delayMs)).toEqual([200, 1_000, 120_000, 21_600_000]);
    expect(() => parseLadder("5s,5s")).toThrow(/must increase/);
    expect(() => parseLadder("5x")).toThrow(/not a duration/);
    expect(() => parseLadder("5s,8d")).toThrow(/longer than 7d/);
    expect(parseLadder("5s,7d").map((t) => t.delayMs)).toEqual([5_000, 604_800_000]);
    expect(formatDuration(120_000)).toBe("2m");
  });

  it("climbs one step per failure, with full jitter, then dead-letters", () => {
    const p = policy();
    expect(placeFailure(p, { permanent: false }, undefined, 0, () => 0.5)).toMatchObject({
      kind: "tier",
      tier: { name: "5s" },
      dueAt: 2_500,
    });
    expect(placeFailure(p, { permanent: false }, 1, 0, () => 1)).toMatchObject({
      tier: { name: "2m" },
      dueAt: 120_000,
    });
    expect(placeFailure(p, { permanent: false }, 3, 0)).toEqual({
      kind: "dead-letter",
      reason: "retries-exhausted",
    });
    expect(placeFailure(p, { permanent: true }, undefined, 0)).toEqual({
      kind: "dead-letter",
      reason: "permanent-failure",
    });
  });

  it("backs throttled deliveries off step by step, then keeps them on the last step: never dead-lettered", () => {
    const p = policy();
    const throttled = { permanent: false, throttled: true };
    expect(placeFailure(p, throttled, undefined, 0, () => 1)).toMatchObject({ tier: { name: "5s" } });
    expect(placeFailure(p, throttled, 1, 0, () => 1)).toMatchObject({ tier: { name: "2m" } });
    // Where an unthrottled failure is dead-lettered, a throttled one waits on the last step again.
    expect(placeFailure(p, { permanent: false }, 3, 0).kind).toBe("dead-letter");
    expect(placeFailure(p, throttled, 3, 0, () => 1)).toEqual({
      kind: "tier",
      tier: expect.objectContaining({ name: "10m" }),
      dueAt: 600_000,
    });
  });

  it("lets Retry-After raise the due time and starts misconfiguration higher up", () => {
    const p = policy();
    // A minute asked for: the first step whose delay covers it holds the record, so it never waits
    // in a tier longer than that tier's delay (and holds up the records behind it).
    expect(placeFailure(p, { permanent: false, retryAfterMs: 60_000 }, undefined, 0, () => 0)).toMatchObject({
      tier: { name: "2m" },
      dueAt: 60_000,
    });
    // Less than the step's own delay changes nothing.
    expect(placeFailure(p, { permanent: false, retryAfterMs: 1_000 }, undefined, 0, () => 1)).toMatchObject({
      tier: { name: "5s" },
      dueAt: 5_000,
    });
    expect(placeFailure(p, { permanent: false, misconfiguration: true }, undefined, 0)).toMatchObject({
      tier: { name: "2m" },
    });
  });
});
