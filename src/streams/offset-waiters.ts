interface Waiter {
  partition: number;
  offset: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** Per-partition "next offset to apply", and promises waiting for it to pass a given offset. */
export class OffsetWaiters {
  private readonly nextOffsets = new Map<number, number>();
  private waiters: Waiter[] = [];
  private closed: Error | undefined;

  next(partition: number): number {
    return this.nextOffsets.get(partition) ?? 0;
  }

  advance(partition: number, nextOffset: number): void {
    if (nextOffset <= this.next(partition)) return;
    this.nextOffsets.set(partition, nextOffset);
    const [done, pending] = partitionBy(
      this.waiters,
      (w) => w.partition === partition && w.offset < nextOffset,
    );
    this.waiters = pending;
    for (const waiter of done) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  /** Resolves once `offset` has been applied; offset -1 (an empty partition) resolves at once. */
  waitPast(partition: number, offset: number, timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.reject(this.closed);
    if (offset < this.next(partition)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { partition, offset, resolve, reject };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`offset ${offset} of partition ${partition} not applied within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  close(error: Error): void {
    this.closed = error;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiters = [];
  }
}

function partitionBy<T>(items: T[], predicate: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (predicate(item) ? yes : no).push(item);
  return [yes, no];
}
