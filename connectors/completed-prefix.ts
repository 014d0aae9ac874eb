/**
 * Records of a batch finish out of order (different streams, different speeds), but an offset may
 * be committed only when every record before it is done. This tracks the longest finished prefix.
 */
export class CompletedPrefix {
  private readonly done: boolean[];
  private next = 0;

  constructor(size: number) {
    this.done = new Array(size).fill(false);
  }

  complete(index: number): void {
    this.done[index] = true;
    while (this.next < this.done.length && this.done[this.next]) this.next++;
  }

  /** Index of the last record of the finished prefix, or -1 when the first is still pending. */
  get lastIndex(): number {
    return this.next - 1;
  }
}
