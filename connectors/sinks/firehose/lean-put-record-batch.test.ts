import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { PUT_RECORD_BATCH_HEADERS, putRecordBatchBody } from "./lean-put-record-batch";

/**
 * Differential test of the lean PutRecordBatch encoder: for generated batches (binary data of
 * every byte, unicode lines, empty and 1,000 KiB records), the body and the protocol headers equal
 * what the SDK's own serializer sends for the same input (captured by a handler that never sends).
 */
async function sdkRequest(records: Uint8Array[]): Promise<{ headers: Record<string, string>; body: string }> {
  let captured = { headers: {} as Record<string, string>, body: "" };
  const client = new FirehoseClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
        const body =
          request.body instanceof Uint8Array ? Buffer.from(request.body).toString() : String(request.body);
        captured = { headers: request.headers, body };
        throw new Error("captured, not sent");
      },
    },
  });
  await client
    .send(
      new PutRecordBatchCommand({ DeliveryStreamName: "events", Records: records.map((Data) => ({ Data })) }),
    )
    .catch(() => undefined);
  client.destroy();
  return captured;
}

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function batch(seed: number): Uint8Array[] {
  const next = random(seed);
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
      const sdk = await sdkRequest(records);
      expect(putRecordBatchBody("events", records)).toBe(sdk.body);
      for (const [name, value] of Object.entries(PUT_RECORD_BATCH_HEADERS))
        expect(sdk.headers[name]).toBe(value);
    },
  );

  it("equals the SDK's body for an empty and the largest record", async () => {
    const records = [new Uint8Array(0), Buffer.alloc(1000 * 1024, 7)];
    expect(putRecordBatchBody("events", records)).toBe((await sdkRequest(records)).body);
  });
});
