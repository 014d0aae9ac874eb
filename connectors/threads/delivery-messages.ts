/** What passes between the connector's event loop and a delivery thread (see DeliveryThreads). */
import type { DomainEvent } from "../../src/events/domain-event";
import type { DeliveryResult, SinkTarget } from "../sinks";

/** What the connector asks a delivery thread: one sink call. */
export interface DeliveryRequest {
  id: number;
  type: string;
  target: SinkTarget<unknown>;
  events: readonly DomainEvent[];
}

/** What the connector tells a delivery thread about a changed or deleted stream (Sink.release). */
export interface ReleaseRequest {
  release: { type: string; target: SinkTarget<unknown> };
}

/** A call's results, or why it could not run. */
export type CallAnswer = { id: number; results: DeliveryResult[] } | { id: number; error: string };

/** A delivery thread's first message: it has loaded its sinks. */
export type ThreadReady = { ready: true };

/**
 * Messages between threads in batches: what one turn of the event loop produced goes in one
 * message, sent once the turn is over. Each message wakes the receiving thread, and at a thousand
 * calls a second those wake-ups cost more CPU than the copying.
 */
export class Outbox<T> {
  private items: T[] = [];

  constructor(private readonly send: (items: T[]) => void) {}

  add(item: T): void {
    if (this.items.length === 0) setImmediate(() => this.flush());
    this.items.push(item);
  }

  /** Drops what was not sent yet (its receiver is gone). */
  discard(): void {
    this.items = [];
  }

  flush(): void {
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.send(items);
  }
}
