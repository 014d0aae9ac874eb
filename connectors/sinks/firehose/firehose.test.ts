import { randomUUID } from "node:crypto";
import { CreateDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { uniqueName } from "../../../support/unique";
import { createPublisherRole } from "../../../test/support/aws-fixtures";
import { receivedIds } from "../../../test/support/received-ids";
import { conformanceEvents, describeSinkConformance } from "../conformance";
import { createFirehoseSink, firehoseSink } from "./index";

/** The emulator's Firehose writes each PutRecordBatch to an S3 object: read them back from there. */
const s3 = new S3Client({ forcePathStyle: true });

async function customerStream() {
  const projectId = randomUUID();
  const bucket = uniqueName("lake");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { DeliveryStreamARN } = await new FirehoseClient({}).send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: uniqueName("events"),
      DeliveryStreamType: "DirectPut",
      ExtendedS3DestinationConfiguration: {
        BucketARN: `arn:aws:s3:::${bucket}`,
        RoleARN: "arn:aws:iam::123456789012:role/firehose-writes-s3",
      },
    }),
  );
  if (!DeliveryStreamARN) throw new Error("the emulator returned no delivery stream ARN");
  const roleArn = await createPublisherRole(projectId, DeliveryStreamARN);
  const target = {
    streamId: `es_${randomUUID().slice(0, 8)}`,
    projectId,
    config: { deliveryStreamArn: DeliveryStreamARN, roleArn },
  };
  return { target, bucket };
}

/** New objects' lines, parsed: every line must be one JSON event (newline-delimited JSON). */
function bucketReader(bucket: string) {
  const read = new Set<string>();
  return async (): Promise<string[]> => {
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const ids: string[] = [];
    for (const object of Contents) {
      if (!object.Key || read.has(object.Key)) continue;
      read.add(object.Key);
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      const text = (await Body?.transformToString()) ?? "";
      expect(text.endsWith("\n")).toBe(true);
      for (const line of text.split("\n").filter(Boolean)) ids.push(String(JSON.parse(line).id));
    }
    return ids;
  };
}

for (const transport of ["sdk", "lean"] as const)
  describeSinkConformance(`firehose (${transport} transport)`, {
    definition: firehoseSink,
    setUp: async () => {
      const { target, bucket } = await customerStream();
      return {
        sink: createFirehoseSink({ transport, env: process.env }),
        target,
        failingTarget: {
          ...target,
          config: { ...target.config, deliveryStreamArn: `${target.config.deliveryStreamArn}-missing` },
        },
        rejectedEvent: (e) => ({ ...e, eventAttributes: { blob: "x".repeat(1100 * 1024) } }),
        received: receivedIds(bucketReader(bucket)),
        secrets: [],
      };
    },
  });

describe("Firehose sink on the lean transport", () => {
  it("maps a missing delivery stream to the same delivery result as through the SDK", async () => {
    const { target } = await customerStream();
    const missing = {
      ...target,
      config: { ...target.config, deliveryStreamArn: `${target.config.deliveryStreamArn}-gone` },
    };
    const results = [];
    for (const transport of ["sdk", "lean"] as const) {
      const sink = createFirehoseSink({ transport, env: process.env });
      const [result] = await sink.deliver(missing, conformanceEvents(1, target.projectId));
      results.push(result && { ...result, message: undefined });
      await sink.close?.();
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]).toMatchObject({ outcome: "retryable" });
  });
});
