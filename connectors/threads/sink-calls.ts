import type { DomainEvent } from "../../src/events/domain-event";
import type { DeliveryResult, SinkContext, SinkRegistry, SinkTarget } from "../sinks";

/**
 * Where the connector's calls to sinks run. The connector decides what to send and when (batches,
 * lanes, circuits, retries) on its event loop; the calls themselves, where a sink spends its CPU
 * (an AWS SDK call costs about a millisecond), run here: on that same thread (`InThreadSinkCalls`)
 * or on delivery threads (`DeliveryThreads`).
 */
export interface SinkCalls {
  /** The sink's `deliver`: one result per event, in order. Rejects only if the call could not run. */
  deliver(
    type: string,
    target: SinkTarget<unknown>,
    events: readonly DomainEvent[],
  ): Promise<DeliveryResult[]>;
  /** The sink's `release`, where the target's calls run. */
  release(type: string, target: SinkTarget<unknown>): void;
  close(): Promise<void>;
}

/** Calls each sink on the connector's own event loop. */
export class InThreadSinkCalls implements SinkCalls {
  constructor(
    private readonly sinks: SinkRegistry,
    private readonly context: SinkContext,
  ) {}

  deliver(
    type: string,
    target: SinkTarget<unknown>,
    events: readonly DomainEvent[],
  ): Promise<DeliveryResult[]> {
    return this.sinks.sink(type, this.context).deliver(target, events);
  }

  release(type: string, target: SinkTarget<unknown>): void {
    this.sinks.created(type)?.release?.(target);
  }

  close(): Promise<void> {
    return this.sinks.close();
  }
}
