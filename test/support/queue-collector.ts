import { QueueDrain } from "../../apps/demo/queue-drain";

/**
 * Drains SQS queues in the background and counts deliveries per event id, so a test can see every
 * event arrive (at least once) and how many arrived more than once. One queue per project keeps
 * each queue shallow: the emulator's SQS slows down as a queue grows.
 */
export class QueueCollector {
  readonly counts = new Map<string, number>();
  private readonly drains: QueueDrain[];

  constructor(queueUrls: readonly string[]) {
    this.drains = queueUrls.map(
      (url) =>
        new QueueDrain(url, (message) => {
          const id = (JSON.parse(message.Body ?? "{}") as { id?: string }).id ?? "?";
          this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
        }),
    );
  }

  get unique(): number {
    return this.counts.size;
  }

  get duplicates(): number {
    let extra = 0;
    for (const n of this.counts.values()) extra += n - 1;
    return extra;
  }

  async stop(): Promise<void> {
    await Promise.all(this.drains.map((d) => d.stop()));
  }
}
