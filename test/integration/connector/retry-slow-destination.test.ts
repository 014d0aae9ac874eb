import { waitFor } from "../../../src/util/wait-for";
import { type RetryHarness, startRetryHarness } from "../../../support/retry-harness";

/**
 * A retry step's backlog meets a destination that is slow but working: handling one chunk of due
 * records takes longer than the consumer group's session (6 s in tests). The tier consumer must
 * keep its membership meanwhile; otherwise every chunk ends in a rebalance before its commit, is
 * read again, and the records after it are never reached (seen in CI as "100 of 200").
 */
describe("retry step with a slow destination", () => {
  let h: RetryHarness;

  beforeAll(async () => {
    h = await startRetryHarness({
      EVENTSTREAMS_RETRY_LADDER: "1s,2s",
      EVENTSTREAMS_RETRY_JITTER: "none",
      EVENTSTREAMS_RETRY_MISCONFIGURATION_TIER: "0",
      EVENTSTREAMS_BREAKER_THRESHOLD: "100000",
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it("delivers a backlog whose chunks each outlast the session timeout", async () => {
    const stream = await h.fakeStream();
    // Every event fails once on the main path, then the destination takes 700 ms a call: a chunk
    // of 100 due records is 10 calls, 7 s.
    h.fakes.set(
      stream.id,
      (_e, attempt) =>
        attempt === 1
          ? { outcome: "retryable", code: "ServiceUnavailable", message: "down" }
          : { outcome: "delivered" },
      0,
    );
    const ids = await h.publish(stream.projectId, 200);
    await waitFor(() => h.fakes.callsOf(stream.id).length >= ids.length, {
      timeoutMs: 30_000,
      description: "every event's first, failed attempt",
    });
    h.fakes.set(stream.id, () => ({ outcome: "delivered" }), 700);
    await waitFor(() => h.fakes.deliveredIds(stream.id).size === ids.length, {
      timeoutMs: 60_000,
      intervalMs: 500,
      description: () => `all ${ids.length} delivered (have ${h.fakes.deliveredIds(stream.id).size})`,
    });
  }, 120_000);
});
