import { randomUUID } from "node:crypto";
import { PublishBatchCommand, type PublishBatchRequestEntry, SNSClient } from "@aws-sdk/client-sns";
import { createTopicWithQueue } from "../../../test/support/aws-fixtures";
import { receiveMessages } from "../../../test/support/sqs";
import { classifyAwsError } from "../aws/errors";
import { awsEndpoint } from "../aws/lean/aws-endpoint";
import { encodeQuery } from "../aws/lean/aws-query";
import { SignedRequests } from "../aws/lean/signed-requests";
import { readPublishBatchAnswer } from "./lean-answer";
import { publishBatchParams } from "./lean-publish-batch";

/**
 * The lean PublishBatch request against the emulator, beside the SDK's: the same messages arrive
 * for the same entries, and an error answer maps to the same delivery result.
 */
describe("lean SNS PublishBatch against the emulator", () => {
  const requests = new SignedRequests();
  const region = process.env.AWS_REGION ?? "us-east-1";
  const credentials = async () => ({
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "",
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "",
  });
  afterAll(() => requests.close());

  const lean = (topicArn: string, entries: PublishBatchRequestEntry[]) =>
    requests
      .send({
        signerKey: "test",
        service: "sns",
        region,
        endpoint: awsEndpoint("sns", region, process.env),
        credentials,
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: encodeQuery(publishBatchParams(topicArn, entries)),
      })
      .then(({ status, body }) => readPublishBatchAnswer(status, body));

  const entries = (n: number): PublishBatchRequestEntry[] =>
    Array.from({ length: n }, (_, i) => ({
      Id: String(i),
      Message: JSON.stringify({ id: randomUUID(), text: "ünïcødé & = + %", i }),
      MessageAttributes: { eventName: { DataType: "String", StringValue: "LoginSucceeded" } },
    }));

  it("delivers what the SDK delivers for the same entries", async () => {
    const { topicArn, queueUrl } = await createTopicWithQueue();
    const viaLean = entries(3);
    const answer = await lean(topicArn, viaLean);
    expect(answer).toMatchObject({ ok: true, failed: [] });
    expect(answer.ok && answer.successful.map((s) => s.id)).toEqual(["0", "1", "2"]);
    const viaSdk = entries(3);
    await new SNSClient({}).send(
      new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: viaSdk }),
    );
    const bodies = (await receiveMessages(queueUrl, 6)).map((m) => m.Body);
    expect(bodies.sort()).toEqual([...viaLean, ...viaSdk].map((e) => e.Message).sort());
  });

  it("maps a missing topic to the same delivery result as through the SDK", async () => {
    const missing = `arn:aws:sns:${region}:123456789012:missing-${randomUUID().slice(0, 8)}`;
    const answer = await lean(missing, entries(1));
    expect(answer.ok).toBe(false);
    const sdkError = await new SNSClient({})
      .send(new PublishBatchCommand({ TopicArn: missing, PublishBatchRequestEntries: entries(1) }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    if (answer.ok) throw new Error("unreachable");
    const viaLean = classifyAwsError({ Code: answer.code, message: answer.message }, "publish");
    const viaSdk = classifyAwsError(sdkError, "publish");
    expect({ ...viaLean, message: undefined }).toEqual({ ...viaSdk, message: undefined });
  });
});
