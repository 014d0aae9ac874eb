/** How long a partly filled batch may be passed over by full ones while a sink is saturated. */
export const PARTIAL_MAX_WAIT_MS = 250;

interface Waiter<T> {
  item: T;
  since: number;
  full: boolean;
}

/**
 * One sink type's calls in flight, at most `concurrency` (BatchLimits.concurrency), and the streams
 * waiting for one to end. When a call ends its slot goes to a waiting stream whose batch is full,
 * so a saturated sink carries as many events per call as it can; a partly filled batch goes first
 * once it has waited `partialMaxWaitMs`, so a quiet stream is never starved by busy ones.
 */
export class SinkLane<T> {
  private inFlight = 0;
  private readonly waiting = new Map<T, Waiter<T>>();
  /** Both in the order streams began to wait; entries of streams that started since are skipped. */
  private readonly full: Waiter<T>[] = [];
  private readonly partial: Waiter<T>[] = [];

  constructor(
    readonly concurrency: number,
    private readonly partialMaxWaitMs = PARTIAL_MAX_WAIT_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a slot if one is free. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.concurrency) return false;
    this.inFlight++;
    return true;
  }

  isWaiting(item: T): boolean {
    return this.waiting.has(item);
  }

  /** Queues `item` for a slot, or updates it: `full` once its batch has filled while it waits. */
  wait(item: T, full: boolean): void {
    let waiter = this.waiting.get(item);
    if (!waiter) {
      waiter = { item, since: this.now(), full: false };
      this.waiting.set(item, waiter);
      if (!full) this.partial.push(waiter);
    }
    if (full && !waiter.full) {
      waiter.full = true;
      this.full.push(waiter);
    }
  }

  /**
   * A call ended. Returns the waiting item its slot now belongs to (it should start at once), or
   * undefined when nobody waits and the slot is free again.
   */
  release(): T | undefined {
    const partial = this.head(this.partial);
    const full = this.head(this.full);
    const next = partial && (!full || this.now() - partial.since >= this.partialMaxWaitMs) ? partial : full;
    if (!next) {
      this.inFlight--;
      return undefined;
    }
    this.waiting.delete(next.item);
    return next.item;
  }

  /** Calls in flight and streams waiting. */
  get load(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.size };
  }

  private head(list: Waiter<T>[]): Waiter<T> | undefined {
    while (list.length > 0 && this.waiting.get((list[0] as Waiter<T>).item) !== list[0]) list.shift();
    return list[0];
  }
}
