import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { sdkRequest, seededRandom } from "../aws/lean/test/differential";
import { PUT_RECORD_BATCH_HEADERS, putRecordBatchBody } from "./lean-put-record-batch";

/**
 * Differential test of the lean PutRecordBatch encoder: for generated batches (binary data of
 * every byte, unicode lines, empty and 1,000 KiB records), the body and the protocol headers equal
 * what the SDK's own serializer sends for the same input (captured by a handler that never sends).
 */
const sdkSend = (records: Uint8Array[]) =>
  sdkRequest(
    (config) => new FirehoseClient(config),
    (client) =>
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: "events",
          Records: records.map((Data) => ({ Data })),
        }),
      ),
  );

function batch(seed: number): Uint8Array[] {
  const next = seededRandom(seed);
  return Array.from({ length: 1 + Math.floor(next() * 20) }, () =>
    next() < 0.5
      ? Uint8Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256))
      : Buffer.from(`${JSON.stringify({ text: "ünï中😀\\n", n: next() })}\n`),
  );
}

describe("lean Firehose PutRecordBatch encoding", () => {
  it.each(Array.from({ length: 100 }, (_, i) => i + 1))(
    "equals the SDK's body for generated batch %i",
    async (seed) => {
      const records = batch(seed);
      const sdk = await sdkSend(records);
      expect(putRecordBatchBody("events", records)).toBe(sdk.body);
      for (const [name, value] of Object.entries(PUT_RECORD_BATCH_HEADERS))
        expect(sdk.headers[name]).toBe(value);
    },
  );

  it("equals the SDK's body for an empty and the largest record", async () => {
    const records = [new Uint8Array(0), Buffer.alloc(1000 * 1024, 7)];
    expect(putRecordBatchBody("events", records)).toBe((await sdkSend(records)).body);
  });
});
