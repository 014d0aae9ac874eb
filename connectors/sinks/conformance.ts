/// <reference types="jest" />
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import type { DomainEvent } from "../../src/events/domain-event";
import type { DeliveryResult, Sink, SinkContext, SinkDefinition, SinkTarget } from "./sink";

/**
 * The shared conformance suite: any sink runs it against itself (in a jest test file) with a
 * harness that sets up a real destination and reads back what arrived.
 *
 *   describeSinkConformance("my sink", { definition: mySink, setUp: async (context) => ({ ... }) });
 */
export interface ConformanceDestination<Config> {
  sink: Sink<Config>;
  /** A working destination. */
  target: SinkTarget<Config>;
  /** Resolves once every one of these event ids reached `target`; rejects after a deadline. */
  received(ids: readonly string[]): Promise<void>;
  /** A destination whose deliveries fail transiently (unreachable, missing, throttled). */
  failingTarget: SinkTarget<Config>;
  /** Makes an event this destination rejects for good (too large, refused). */
  rejectedEvent(event: DomainEvent): DomainEvent;
  /** Secret values in the configs: they must never appear in results, verify answers or logs. */
  secrets: readonly string[];
  tearDown?(): Promise<void>;
}

export interface SinkConformanceHarness<Config> {
  definition: SinkDefinition<Config>;
  /** Creates the sink (with this context, whose logger the suite reads) and its destinations. */
  setUp(context: SinkContext): Promise<ConformanceDestination<Config>>;
  /** Events in the "more than one batch" test; keep it small against emulators. Default 25. */
  maxTestEvents?: number;
}

export function conformanceEvents(count: number, projectId: string): DomainEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    name: "IdentityCreated",
    domain: "identities",
    version: "1",
    timestamp: new Date(),
    projectId,
    eventAttributes: { seq: String(i) },
  }));
}

export function describeSinkConformance<Config>(name: string, harness: SinkConformanceHarness<Config>): void {
  describe(`sink conformance: ${name}`, () => {
    const logs: string[] = [];
    const logger = pino(
      { level: "trace" },
      new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    );
    let d: ConformanceDestination<Config>;
    const answers: unknown[] = [];
    const deliver = async (target: SinkTarget<Config>, events: DomainEvent[]) => {
      const results = await d.sink.deliver(target, events);
      answers.push(results);
      return results;
    };

    beforeAll(async () => {
      d = await harness.setUp({ logger, env: process.env });
    });
    afterAll(async () => {
      await d?.sink.close?.();
      await d?.tearDown?.();
    });

    it("declares a type, a schema and positive batch limits", () => {
      const { type, configSchema, limits } = harness.definition;
      expect(type).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(configSchema).toMatchObject({ type: "object" });
      expect(Number.isInteger(limits.maxEvents) && limits.maxEvents > 0).toBe(true);
    });

    it("verifies a working destination and explains a failing one", async () => {
      expect(await d.sink.verify(d.target)).toMatchObject({ ok: true });
      const failed = await d.sink.verify(d.failingTarget);
      answers.push(failed);
      expect(failed).toMatchObject({ ok: false, code: expect.any(String), message: expect.any(String) });
    });

    it("delivers, with one result per event, in order", async () => {
      const events = conformanceEvents(3, d.target.projectId);
      expect(await deliver(d.target, events)).toEqual(events.map(() => ({ outcome: "delivered" })));
      await d.received(events.map((e) => e.id));
    });

    it("reports a partial failure in place and delivers the rest", async () => {
      const [a, b, c] = conformanceEvents(3, d.target.projectId) as [DomainEvent, DomainEvent, DomainEvent];
      const results = await deliver(d.target, [a, d.rejectedEvent(b), c]);
      expect(results).toHaveLength(3);
      expect(results[0]).toEqual({ outcome: "delivered" });
      expect(results[1]).toMatchObject({ outcome: "permanent", code: expect.any(String) });
      expect(results[2]).toEqual({ outcome: "delivered" });
      await d.received([a.id, c.id]);
    });

    it("classifies a transient failure as retryable, for every event", async () => {
      const events = conformanceEvents(2, d.failingTarget.projectId);
      const results = await deliver(d.failingTarget, events);
      expect(results).toHaveLength(2);
      for (const result of results) {
        expect(result).toMatchObject({
          outcome: "retryable",
          code: expect.any(String),
          message: expect.any(String),
        });
      }
    });

    it("delivers more than one batch's worth in one call (splitting within its limits)", async () => {
      const count = Math.min(harness.definition.limits.maxEvents * 2 + 1, harness.maxTestEvents ?? 25);
      const events = conformanceEvents(count, d.target.projectId);
      const results: DeliveryResult[] = await deliver(d.target, events);
      expect(results).toEqual(events.map(() => ({ outcome: "delivered" })));
      await d.received(events.map((e) => e.id));
    });

    it("never logs or returns a secret", () => {
      const seen = JSON.stringify(answers) + logs.join("");
      for (const secret of d.secrets) {
        expect(secret.length).toBeGreaterThan(0);
        expect(seen.includes(secret)).toBe(false);
      }
    });
  });
}
