import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { delay } from "../../src/util/wait-for";

/**
 * Reads an SQS queue until stopped, handing each message to `onMessage` and deleting it. Short
 * polls with a pause when empty: the AWS emulator's long poll holds up deliveries into the queue.
 * A failed call is tried again: the reader must outlive hiccups of the emulator.
 */
export class QueueDrain {
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly queueUrl: string,
    private readonly onMessage: (message: Message) => void,
    private readonly sqs: SQSClient = new SQSClient({}),
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const { Messages = [] } = await this.sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            MessageAttributeNames: ["All"],
          }),
        )
        .catch(() => ({ Messages: [] as Message[] }));
      if (Messages.length === 0) {
        await delay(100);
        continue;
      }
      for (const message of Messages) this.onMessage(message);
      await this.sqs
        .send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        )
        .catch(() => undefined); // not deleted: it comes again, as a duplicate would
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
