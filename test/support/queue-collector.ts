import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { delay } from "../../src/util/wait-for";
import { aws } from "./clients";

/**
 * Drains SQS queues in the background (one loop per queue) and counts deliveries per event id, so
 * a test can see every event arrive (at least once) and how many arrived more than once. Queues
 * are kept shallow on purpose: the emulator's SQS slows down as a queue grows.
 */
export class QueueCollector {
  readonly counts = new Map<string, number>();
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(queueUrls: readonly string[]) {
    this.loops = queueUrls.map((url) => this.loop(url));
  }

  get unique(): number {
    return this.counts.size;
  }

  get duplicates(): number {
    let extra = 0;
    for (const n of this.counts.values()) extra += n - 1;
    return extra;
  }

  private async loop(queueUrl: string): Promise<void> {
    const sqs = aws.sqs();
    while (this.running) {
      // A slow or failing receive is retried: the collector must outlive emulator hiccups.
      const { Messages = [] } = await sqs
        .send(
          // Short polls: the emulator's long poll holds up SNS deliveries into the same queue.
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        )
        .catch(() => ({ Messages: [] }));
      if (Messages.length === 0) await delay(100);
      for (const m of Messages) {
        const id = (JSON.parse(m.Body ?? "{}") as { id?: string }).id ?? "?";
        this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
      }
      if (Messages.length > 0) {
        await sqs
          .send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          )
          .catch(() => undefined); // not deleted: received again later, counted as a duplicate
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}
