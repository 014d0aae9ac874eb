import type { MessageAttributeValue, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";

/**
 * The headers of SendMessageBatch in SQS's AWS JSON 1.0 protocol, as the SDK sends them
 * (`x-amzn-query-mode`: errors answered in the query-compatible form the SDK reads too).
 */
export const SEND_MESSAGE_BATCH_HEADERS = {
  "content-type": "application/x-amz-json-1.0",
  "x-amz-target": "AmazonSQS.SendMessageBatch",
  "x-amzn-query-mode": "true",
} as const;

/**
 * A SendMessageBatch request's JSON body, built directly from the entries. Differential tests hold
 * its parameters equal to the SDK serializer's for the same input (lean-send-message-batch.test.ts).
 */
export function sendMessageBatchBody(
  queueUrl: string,
  entries: readonly SendMessageBatchRequestEntry[],
): string {
  return JSON.stringify({
    QueueUrl: queueUrl,
    Entries: entries.map((entry) => ({
      Id: entry.Id,
      MessageBody: entry.MessageBody,
      ...(entry.DelaySeconds !== undefined ? { DelaySeconds: entry.DelaySeconds } : {}),
      ...(entry.MessageAttributes ? { MessageAttributes: attributes(entry.MessageAttributes) } : {}),
      ...(entry.MessageDeduplicationId !== undefined
        ? { MessageDeduplicationId: entry.MessageDeduplicationId }
        : {}),
      ...(entry.MessageGroupId !== undefined ? { MessageGroupId: entry.MessageGroupId } : {}),
    })),
  });
}

function attributes(values: Record<string, MessageAttributeValue>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, value] of Object.entries(values)) {
    out[name] = {
      DataType: value.DataType as string,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { BinaryValue: Buffer.from(value.BinaryValue).toString("base64") }
        : {}),
    };
  }
  return out;
}
