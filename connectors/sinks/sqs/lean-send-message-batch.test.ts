import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { sdkRequest, seededRandom, textOf } from "../aws/lean/test/differential";
import { SEND_MESSAGE_BATCH_HEADERS, sendMessageBatchBody } from "./lean-send-message-batch";

/**
 * Differential test of the lean SendMessageBatch encoder: for many generated batches (unicode,
 * every attribute type, FIFO ids, delays), the JSON parameters and the protocol headers equal what
 * the SDK's own serializer sends for the same input (captured by a request handler that never sends).
 */
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo";

const sdkSend = (entries: SendMessageBatchRequestEntry[]) =>
  sdkRequest(
    (config) => new SQSClient(config),
    (client) => client.send(new SendMessageBatchCommand({ QueueUrl: QUEUE, Entries: entries })),
  );

const PIECES = [
  "a",
  "Z",
  "0",
  " ",
  "&",
  "=",
  "+",
  "%",
  '"',
  "\\\\",
  "\n",
  "\t",
  "é",
  "中文",
  "😀",
  "e\u0301",
  "\u2028",
  "{}",
  "</",
];
const text = (next: () => number, length: number) => textOf(next, PIECES, length);

function attribute(next: () => number): MessageAttributeValue {
  switch (Math.floor(next() * 3)) {
    case 0:
      return { DataType: "String", StringValue: text(next, 1 + Math.floor(next() * 30)) };
    case 1:
      return { DataType: "Number", StringValue: String(Math.round(next() * 1e6) / 100) };
    default:
      return {
        DataType: "Binary",
        BinaryValue: Uint8Array.from({ length: 1 + Math.floor(next() * 40) }, () => Math.floor(next() * 256)),
      };
  }
}

function batch(seed: number): SendMessageBatchRequestEntry[] {
  const next = seededRandom(seed);
  return Array.from({ length: 1 + Math.floor(next() * 10) }, (_, i) => {
    const attributes: Record<string, MessageAttributeValue> = {};
    for (let a = Math.floor(next() * 5); a > 0; a--) attributes[`attr${a}`] = attribute(next);
    return {
      Id: String(i),
      MessageBody: text(next, 1 + Math.floor(next() * 400)),
      ...(next() < 0.2 ? { DelaySeconds: Math.floor(next() * 900) } : {}),
      ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
      ...(next() < 0.5
        ? { MessageGroupId: text(next, 8), MessageDeduplicationId: `dedup-${seed}-${i}` }
        : {}),
    };
  });
}

describe("lean SQS SendMessageBatch encoding", () => {
  it.each(Array.from({ length: 200 }, (_, i) => i + 1))(
    "equals the SDK's parameters for generated batch %i",
    async (seed) => {
      const entries = batch(seed);
      const sdk = await sdkSend(entries);
      expect(JSON.parse(sendMessageBatchBody(QUEUE, entries))).toEqual(JSON.parse(sdk.body));
      for (const [name, value] of Object.entries(SEND_MESSAGE_BATCH_HEADERS))
        expect(sdk.headers[name]).toBe(value);
    },
  );
});
