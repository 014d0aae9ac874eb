/**
 * The records of one partition that have been read but whose offset is not yet committed, across
 * fetches. Records finish out of order (different streams, different speeds), so the offset that may
 * be committed is the one after the longest finished prefix. Reading goes on while earlier records
 * are still being delivered, up to `capacity` unfinished records: one slow destination then holds
 * back the partition's commits, never its reads, and so never the healthy streams that share it.
 */
export interface WindowEntry {
  readonly offset: bigint;
  done: boolean;
}

export class PartitionWindow {
  private entries: WindowEntry[] = [];
  private head = 0;
  private unfinished = 0;
  /** Offset of the last record of the finished prefix. */
  private finishedThrough: bigint | undefined;
  private committed: bigint | undefined;
  /** Offset of the last admitted record. */
  private readThrough: bigint | undefined;
  private readonly idleWaiters: (() => void)[] = [];
  /** Replaced after a rebalance or a failed record: its records no longer move the commit point. */
  retired = false;
  /** A record failed for a reason outside it: the partition is read again from it after a back-off. */
  readingAgain = false;
  /** Paused by us because the window was full. */
  pausedForRoom = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly capacity: number,
    /** Called when a full window has drained to half, so reading can resume. */
    private readonly onRoom: (window: PartitionWindow) => void,
  ) {}

  get full(): boolean {
    return this.unfinished >= this.capacity;
  }

  get inFlight(): number {
    return this.unfinished;
  }

  /** False for a record at or before one already admitted. */
  expects(offset: string): boolean {
    return this.readThrough === undefined || BigInt(offset) > this.readThrough;
  }

  admit(offset: string): WindowEntry {
    const entry = { offset: BigInt(offset), done: false };
    this.readThrough = entry.offset;
    this.entries.push(entry);
    this.unfinished++;
    return entry;
  }

  finish(entry: WindowEntry): void {
    if (entry.done) return;
    entry.done = true;
    this.unfinished--;
    for (let next = this.entries[this.head]; next?.done; next = this.entries[++this.head]) {
      this.finishedThrough = next.offset;
    }
    // Drop the finished prefix now and then, not on every record.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    if (this.pausedForRoom && this.unfinished <= this.capacity / 2) this.onRoom(this);
    if (this.unfinished === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** The offset to commit (one past the finished prefix) when it moved since the last commit. */
  commitPoint(): string | undefined {
    if (this.finishedThrough === undefined) return undefined;
    const next = this.finishedThrough + 1n;
    return this.committed !== undefined && next <= this.committed ? undefined : next.toString();
  }

  markCommitted(offset: string): void {
    const value = BigInt(offset);
    if (this.committed === undefined || value > this.committed) this.committed = value;
  }

  /** Where reading must start again for nothing unfinished to be skipped. */
  firstUnfinished(): string | undefined {
    return this.entries[this.head]?.offset.toString();
  }

  idle(): Promise<void> {
    return this.unfinished === 0 ? Promise.resolve() : new Promise((wake) => this.idleWaiters.push(wake));
  }
}
