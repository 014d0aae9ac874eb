import pino from "pino";
import { Registry } from "prom-client";
import type { DomainEvent } from "../../src/events/domain-event";
import type { DeliveryResult } from "../sinks";
import { DeliveryThreads } from "./delivery-threads";

const logger = pino({ level: "silent" });
const sinks = { path: require.resolve("../../support/thread-sinks"), exportName: "createThreadTestSinks" };

function event(n: number): DomainEvent {
  return {
    id: `event-${n}`,
    name: "IdentityCreated",
    domain: "identities",
    version: "1",
    timestamp: new Date(1_700_000_000_000 + n),
    projectId: "project",
    eventAttributes: { n: String(n) },
  };
}

const target = (streamId: string) => ({ streamId, projectId: "project", config: {} });
/** The `where` sink's answer: the thread that ran the call, and how the timestamp arrived. */
const answer = (results: DeliveryResult[]) =>
  results.map((r) => (r.outcome === "retryable" ? `${r.code}@${r.message}` : r.outcome));

describe("DeliveryThreads", () => {
  let threads: DeliveryThreads | undefined;
  afterEach(async () => {
    await threads?.close();
    threads = undefined;
  });

  it("runs each call on a delivery thread, one result per event, a stream always on the same one", async () => {
    threads = await DeliveryThreads.start({ threads: 2, sinks, env: process.env, logger });
    const streams = Array.from({ length: 8 }, (_, i) => `es_${i}`);
    const first = await Promise.all(
      streams.map((s) => threads?.deliver("where", target(s), [event(1), event(2)]) ?? []),
    );
    const again = await Promise.all(
      streams.map((s) => threads?.deliver("where", target(s), [event(3)]) ?? []),
    );

    const threadOf = first.map((results) => answer(results)[0]);
    // Off the main thread (id 0), with the event's timestamp still a Date, and on both threads.
    expect(first.flatMap(answer).every((a) => /^Date@[1-9]\d*$/.test(a))).toBe(true);
    expect(first.every((results) => results.length === 2)).toBe(true);
    expect(new Set(threadOf).size).toBe(2);
    expect(again.map((results) => answer(results)[0])).toEqual(threadOf);
  });

  it("fails the calls of a thread that dies, with the reason, and starts it again", async () => {
    threads = await DeliveryThreads.start({ threads: 1, sinks, env: process.env, logger });
    await expect(threads.deliver("exit", target("es_a"), [event(1)])).rejects.toThrow(
      "delivery thread 0 stopped (exit code 3)",
    );
    const results = await threads.deliver("where", target("es_a"), [event(2)]);
    expect(answer(results)).toEqual([expect.stringMatching(/^Date@[1-9]\d*$/)]);
  });

  it("reports each thread's busy share since the last reading", async () => {
    threads = await DeliveryThreads.start({ threads: 2, sinks, env: process.env, logger });
    // Both threads past their first call (lazy set-up) before the reading the test starts from.
    await Promise.all(
      ["es_0", "es_1", "es_2", "es_3"].map((s) => threads?.deliver("where", target(s), [event(0)])),
    );
    threads.utilization();
    await threads.deliver("spin", { ...target("es_0"), config: { ms: 600 } }, [event(1)]);
    const readings = threads.utilization();
    // The thread that spun was busy nearly all the time since the reading; the other one was not.
    expect(readings).toHaveLength(2);
    expect(Math.max(...readings)).toBeGreaterThan(0.7);
    expect(Math.max(...readings) - Math.min(...readings)).toBeGreaterThan(0.4);
  });

  it("reports each thread's V8 heap, the event loop's young generation apart, on /metrics", async () => {
    threads = await DeliveryThreads.start({ threads: 2, sinks, env: process.env, logger });
    const registry = new Registry();
    threads.registerMetrics(registry);
    const text = await registry.metrics();
    const reading = (thread: string, measure: string) =>
      Number(
        new RegExp(`^eventstreams_heap_bytes\\{thread="${thread}",measure="${measure}"\\} (\\d+)`, "m").exec(
          text,
        )?.[1],
      );
    for (const thread of ["main", "0", "1"]) {
      expect(reading(thread, "used")).toBeGreaterThan(1_000_000);
      expect(reading(thread, "reserved")).toBeGreaterThanOrEqual(reading(thread, "used"));
    }
    expect(reading("main", "young_reserved")).toBeGreaterThan(0);
    expect(Number.isNaN(reading("0", "young_reserved"))).toBe(true);
  });

  it("rejects a call to a type the module does not register", async () => {
    threads = await DeliveryThreads.start({ threads: 1, sinks, env: process.env, logger });
    await expect(threads.deliver("nope", target("es_a"), [event(1)])).rejects.toThrow(
      'unknown sink type "nope": known types are where, exit, spin',
    );
  });

  it("does not start when the threads cannot load the sinks, and says what to export", async () => {
    await expect(
      DeliveryThreads.start({
        threads: 2,
        sinks: { ...sinks, exportName: "createNothing" },
        env: process.env,
        logger,
      }),
    ).rejects.toThrow(/could not load the sinks: .*thread-sinks.* must export createNothing\(\)/);
  });
});
