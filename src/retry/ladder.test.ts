import { formatDuration, parseLadder } from "./ladder";
import { placeFailure, type RetryPolicy } from "./retry-policy";

const policy = (misconfigurationTier = 2): RetryPolicy => ({
  tiers: parseLadder("5s,30s,2m,10m").map((t) => ({ ...t, topic: `retry.${t.name}` })),
  deadLetter: "dlq",
  jitter: "full",
  misconfigurationTier,
});

describe("retry ladder", () => {
  it("parses, names and checks the ladder", () => {
    expect(parseLadder("200ms, 1s,2m,6h").map((t) => t.delayMs)).toEqual([200, 1_000, 120_000, 21_600_000]);
    expect(() => parseLadder("5s,5s")).toThrow(/must increase/);
    expect(() => parseLadder("5x")).toThrow(/not a duration/);
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

  it("lets Retry-After raise the due time and starts misconfiguration higher up", () => {
    const p = policy();
    expect(placeFailure(p, { permanent: false, retryAfterMs: 60_000 }, undefined, 0, () => 0)).toMatchObject({
      tier: { name: "5s" },
      dueAt: 60_000,
    });
    expect(placeFailure(p, { permanent: false, misconfiguration: true }, undefined, 0)).toMatchObject({
      tier: { name: "2m" },
    });
  });
});
