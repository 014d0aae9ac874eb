import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { sdkRequest, seededRandom, textOf } from "../aws/lean/test/differential";
import { PUT_RECORDS_HEADERS, putRecordsBody } from "./lean-put-records";

/**
 * Differential test of the lean PutRecords encoder: for generated batches (binary data of every
 * byte, unicode partition keys, empty and 1 MiB records), the body and the protocol headers equal
 * what the SDK's own serializer sends for the same input (captured by a handler that never sends).
 */
const sdkSend = (streamName: string, records: PutRecordsRequestEntry[]) =>
  sdkRequest(
    (config) => new KinesisClient(config),
    (client) => client.send(new PutRecordsCommand({ StreamName: streamName, Records: records })),
  );

function batch(seed: number): PutRecordsRequestEntry[] {
  const next = seededRandom(seed);
  return Array.from({ length: 1 + Math.floor(next() * 30) }, () => ({
    Data:
      next() < 0.5
        ? Uint8Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256))
        : Buffer.from(JSON.stringify({ text: textOf(next, ["ü", "中", "😀", '"', "\\", "a"], 20) })),
    PartitionKey: textOf(next, ["a", "-", "0", "ü", "中", "😀", '"'], 1 + Math.floor(next() * 36)),
  }));
}

describe("lean Kinesis PutRecords encoding", () => {
  it.each(Array.from({ length: 100 }, (_, i) => i + 1))(
    "equals the SDK's body for generated batch %i",
    async (seed) => {
      const records = batch(seed);
      const sdk = await sdkSend("events", records);
      expect(putRecordsBody("events", records)).toBe(sdk.body);
      for (const [name, value] of Object.entries(PUT_RECORDS_HEADERS)) expect(sdk.headers[name]).toBe(value);
    },
  );

  it("equals the SDK's body for an empty and the largest record", async () => {
    const records = [
      { Data: new Uint8Array(0), PartitionKey: "p" },
      { Data: Buffer.alloc(1024 * 1024 - 36, 7), PartitionKey: "8f14e45f-ceea-467a-9575-6b5a2f3c1d2e" },
    ];
    expect(putRecordsBody("a.b-c_d", records)).toBe((await sdkSend("a.b-c_d", records)).body);
  });
});
