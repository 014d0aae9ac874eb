import {
  type MessageAttributeValue,
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  SNSClient,
} from "@aws-sdk/client-sns";
import { encodeQuery } from "../aws/lean/aws-query";
import { sdkRequest, seededRandom, textOf } from "../aws/lean/test/differential";
import { publishBatchParams } from "./lean-publish-batch";

/**
 * Differential test of the lean PublishBatch encoder: for many generated batches (unicode, every
 * attribute type, FIFO ids, the largest message), the form body equals, byte for byte, the one the
 * SDK's own serializer builds for the same input (captured by a request handler that never sends).
 */
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:orders.fifo";

const sdkBody = async (entries: PublishBatchRequestEntry[]) =>
  (
    await sdkRequest(
      (config) => new SNSClient(config),
      (client) =>
        client.send(new PublishBatchCommand({ TopicArn: TOPIC, PublishBatchRequestEntries: entries })),
    )
  ).body;

const PIECES = [
  "a",
  "Z",
  "0",
  " ",
  "&",
  "=",
  "+",
  "%",
  "/",
  "?",
  "#",
  "!",
  "'",
  "(",
  ")",
  "*",
  "~",
  "\n",
  "\t",
  "é",
  "ß",
  "中文",
  "😀",
  "e\u0301",
  "\u200b",
  '"',
  "<",
  ">",
  "{}",
];

const text = (next: () => number, length: number) => textOf(next, PIECES, length);

function attribute(next: () => number): MessageAttributeValue {
  switch (Math.floor(next() * 4)) {
    case 0:
      return { DataType: "String", StringValue: text(next, 1 + Math.floor(next() * 30)) };
    case 1:
      return { DataType: "Number", StringValue: String(Math.round(next() * 1e6) / 100) };
    case 2:
      return {
        DataType: "Binary",
        BinaryValue: Uint8Array.from({ length: 1 + Math.floor(next() * 40) }, () => Math.floor(next() * 256)),
      };
    default:
      return { DataType: "String.Array", StringValue: JSON.stringify([text(next, 3), text(next, 4)]) };
  }
}

function batch(seed: number): PublishBatchRequestEntry[] {
  const next = seededRandom(seed);
  return Array.from({ length: 1 + Math.floor(next() * 10) }, (_, i) => {
    const attributes: Record<string, MessageAttributeValue> = {};
    for (let a = Math.floor(next() * 5); a > 0; a--)
      attributes[`attr${a}_${text(next, 2).replace(/[^A-Za-z0-9]/g, "x")}`] = attribute(next);
    const fifo = next() < 0.5;
    return {
      Id: String(i),
      Message: text(next, 1 + Math.floor(next() * 400)),
      ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
      ...(fifo ? { MessageGroupId: text(next, 8), MessageDeduplicationId: `dedup-${seed}-${i}` } : {}),
      ...(next() < 0.1 ? { Subject: text(next, 10) } : {}),
    };
  });
}

describe("lean SNS PublishBatch encoding", () => {
  it.each(Array.from({ length: 200 }, (_, i) => i + 1))(
    "equals the SDK's body for generated batch %i",
    async (seed) => {
      const entries = batch(seed);
      expect(encodeQuery(publishBatchParams(TOPIC, entries))).toBe(await sdkBody(entries));
    },
  );

  it("equals the SDK's body for the largest message", async () => {
    const entries = [
      {
        Id: "0",
        Message: "é".repeat(128 * 1024 - 100),
        MessageAttributes: { eventName: { DataType: "String", StringValue: "LoginSucceeded" } },
      },
    ];
    expect(encodeQuery(publishBatchParams(TOPIC, entries))).toBe(await sdkBody(entries));
  });
});
