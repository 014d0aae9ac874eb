import { type DeliveryResult, defineSink, SinkRegistry } from "../connectors/sinks";
import type { DomainEvent } from "../src/events/domain-event";
import { delay } from "../src/util/wait-for";

export interface FakeCall {
  streamId: string;
  eventId: string;
  at: number;
  /** The event's own timestamp: at - eventAt is its end-to-end latency. */
  eventAt: number;
  outcome: DeliveryResult["outcome"];
}

export type Behaviour = (event: DomainEvent, attempt: number) => DeliveryResult;

/**
 * A destination the test controls per stream: what each delivery returns (by the event and how
 * often it was tried), how long a call takes, and a log of every call, to count what the
 * destination saw and when.
 */
export class FakeDestinations {
  readonly calls: FakeCall[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly latencies = new Map<string, number>();
  private readonly attempts = new Map<string, number>();

  set(streamId: string, behaviour: Behaviour, latencyMs = 0): void {
    this.behaviours.set(streamId, behaviour);
    this.latencies.set(streamId, latencyMs);
  }

  callsOf(streamId: string): FakeCall[] {
    return this.calls.filter((c) => c.streamId === streamId);
  }

  deliveredIds(streamId: string): Set<string> {
    return new Set(
      this.callsOf(streamId)
        .filter((c) => c.outcome === "delivered")
        .map((c) => c.eventId),
    );
  }

  registry(): SinkRegistry {
    return new SinkRegistry().register(
      defineSink<Record<string, unknown>>({
        type: "fake",
        description: "a destination the test controls",
        configSchema: { type: "object" },
        limits: { maxEvents: 10 },
        create: () => ({
          verify: async () => ({ ok: true }),
          deliver: async (target, events) => {
            const latency = this.latencies.get(target.streamId) ?? 0;
            if (latency > 0) await delay(latency);
            const behaviour = this.behaviours.get(target.streamId) ?? (() => ({ outcome: "delivered" }));
            return events.map((event) => {
              const key = `${target.streamId}/${event.id}`;
              const attempt = (this.attempts.get(key) ?? 0) + 1;
              this.attempts.set(key, attempt);
              const result = behaviour(event, attempt);
              this.calls.push({
                streamId: target.streamId,
                eventId: event.id,
                at: Date.now(),
                eventAt: event.timestamp.getTime(),
                outcome: result.outcome,
              });
              return result;
            });
          },
        }),
      }),
    );
  }
}
