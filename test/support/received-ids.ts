import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { waitFor } from "../../src/util/wait-for";
import { aws } from "../../support/clients";

/**
 * `received(ids)` for the conformance suite: polls a destination for the event ids that arrived
 * (each poll returns the new ones) until every id asked for has been seen.
 */
export function receivedIds(poll: () => Promise<string[]>, timeoutMs = 30_000) {
  const seen = new Set<string>();
  return async (ids: readonly string[]): Promise<void> => {
    await waitFor(
      async () => {
        for (const id of await poll()) seen.add(id);
        return ids.every((id) => seen.has(id));
      },
      {
        timeoutMs,
        intervalMs: 100,
        description: () => `${ids.filter((id) => !seen.has(id)).length} of ${ids.length} events to arrive`,
      },
    );
  };
}

/**
 * Receives and deletes one round of messages from a queue; returns the event id of each JSON body
 * (its `id`, or what `idOf` reads, e.g. an EventBridge envelope's `detail.id`).
 */
export async function pollQueueIds(
  queueUrl: string,
  idOf: (body: Record<string, unknown>) => unknown = (body) => body.id,
): Promise<string[]> {
  const sqs = aws.sqs();
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  if (Messages.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return Messages.map((m) => String(idOf(JSON.parse(m.Body ?? "{}"))));
}
