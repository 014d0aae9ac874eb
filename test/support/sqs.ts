import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { waitFor } from "../../src/util/wait-for";
import { aws } from "../../support/clients";

/** Reads (and deletes) messages until `count` arrived or the deadline passes. */
export async function receiveMessages(
  queueUrl: string,
  count: number,
  timeoutMs = 30_000,
): Promise<Message[]> {
  const sqs = aws.sqs();
  const received: Message[] = [];
  await waitFor(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
        }),
      );
      if (Messages.length > 0) {
        received.push(...Messages);
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
      return received.length >= count;
    },
    { timeoutMs, intervalMs: 0, description: `${count} messages on ${queueUrl} (got ${received.length})` },
  );
  return received;
}
