import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from "@aws-sdk/client-firehose";
import type { STSClient } from "@aws-sdk/client-sts";
import { type DomainEvent, toDeliveredEvent } from "../../../src/events/domain-event";
import { parseArn, roleArnProperty } from "../aws/arn";
import { AssumedRoleClients, describeAwsError, roleTargetOf } from "../aws/assumed-role-clients";
import { classifyAwsError, classifyFailedEntry } from "../aws/errors";
import { awsEndpoint } from "../aws/lean/aws-endpoint";
import { SignedRequests } from "../aws/lean/signed-requests";
import { type AwsTransport, awsTransportSetting } from "../aws/lean/transport-setting";
import { type DeliveryResult, defineSink, type Sink, type SinkTarget, type VerifyResult } from "../sink";
import {
  PUT_RECORD_BATCH_HEADERS,
  type PutRecordBatchAnswer,
  putRecordBatchBody,
  readPutRecordBatchAnswer,
} from "./lean-put-record-batch";

export interface FirehoseConfig {
  /** `arn:aws:firehose:<region>:<account>:deliverystream/<name>` */
  deliveryStreamArn: string;
  roleArn: string;
}

/** PutRecordBatch: 500 records and 4 MiB per call, 1,000 KiB per record. */
const MAX_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MAX_RECORD_BYTES = 1000 * 1024;

/**
 * Kinesis Data Firehose, for lakes and warehouses: one newline-terminated JSON record per event,
 * so the objects Firehose writes (S3, Redshift, Snowflake...) are newline-delimited JSON.
 */
export const firehoseSink = defineSink<FirehoseConfig>({
  type: "firehose",
  description: "Put newline-delimited JSON records on an Amazon Data Firehose stream",
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["deliveryStreamArn", "roleArn"],
    properties: {
      deliveryStreamArn: {
        type: "string",
        maxLength: 160,
        pattern: "^arn:aws:firehose:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:deliverystream/[a-zA-Z0-9_.-]{1,64}$",
        errorMessage:
          "must be a Firehose delivery stream ARN: arn:aws:firehose:<region>:<12-digit account>:deliverystream/<name>",
      },
      roleArn: roleArnProperty,
    },
  },
  limits: { maxEvents: MAX_RECORDS, maxBytes: MAX_BATCH_BYTES },
  create: (context) =>
    new FirehoseSink(undefined, { transport: awsTransportSetting(context.env), env: context.env }),
});

export class FirehoseSink implements Sink<FirehoseConfig> {
  private readonly clients: AssumedRoleClients<FirehoseClient>;

  private readonly transport: AwsTransport;
  private readonly env: NodeJS.ProcessEnv;
  /** The lean transport's signed requests (connection pools, signers); only made for it. */
  private readonly requests?: SignedRequests;

  constructor(sts?: STSClient, options: { transport?: AwsTransport; env?: NodeJS.ProcessEnv } = {}) {
    this.clients = new AssumedRoleClients((settings) => new FirehoseClient(settings), sts);
    this.transport = options.transport ?? "sdk";
    this.env = options.env ?? {};
    if (this.transport === "lean") this.requests = new SignedRequests();
  }

  async verify(target: SinkTarget<FirehoseConfig>): Promise<VerifyResult> {
    const record = {
      name: "EventStreamVerification",
      version: "1",
      timestamp: new Date().toISOString(),
      projectId: target.projectId,
      eventAttributes: { streamId: target.streamId },
    };
    try {
      await (await this.client(target)).send(
        new PutRecordCommand({
          DeliveryStreamName: streamName(target),
          Record: { Data: Buffer.from(`${JSON.stringify(record)}\n`) },
        }),
      );
      // The role works with the project id; may it work without? (A confused deputy, if so.)
      const warning = await this.clients.trustPolicyWarning(target);
      return warning ? { ok: true, warnings: [warning] } : { ok: true };
    } catch (error) {
      const { code, message } = describeAwsError(error);
      return {
        ok: false,
        code,
        message: `could not put a record on ${target.config.deliveryStreamArn} as ${target.config.roleArn}: ${message}`,
        hint: `the role must trust our account with sts:ExternalId = "${target.projectId}" and allow firehose:PutRecord and firehose:PutRecordBatch on the stream`,
      };
    }
  }

  async deliver(
    target: SinkTarget<FirehoseConfig>,
    events: readonly DomainEvent[],
  ): Promise<DeliveryResult[]> {
    const results: DeliveryResult[] = new Array(events.length);
    const batches: { index: number; data: Buffer }[][] = [[]];
    let bytes = 0;
    events.forEach((event, index) => {
      const data = Buffer.from(`${JSON.stringify(toDeliveredEvent(event))}\n`);
      if (data.length > MAX_RECORD_BYTES) {
        results[index] = {
          outcome: "permanent",
          code: "RecordTooLarge",
          message: `event ${event.id} is ${data.length} bytes as a record; Firehose accepts at most ${MAX_RECORD_BYTES}`,
        };
        return;
      }
      const current = batches[batches.length - 1] as { index: number; data: Buffer }[];
      if (current.length === MAX_RECORDS || (current.length > 0 && bytes + data.length > MAX_BATCH_BYTES)) {
        batches.push([{ index, data }]);
        bytes = data.length;
      } else {
        current.push({ index, data });
        bytes += data.length;
      }
    });
    for (const batch of batches) {
      if (batch.length === 0) continue;
      try {
        const output =
          this.transport === "lean"
            ? await this.putLean(target, batch)
            : await (await this.client(target)).send(
                new PutRecordBatchCommand({
                  DeliveryStreamName: streamName(target),
                  Records: batch.map((r) => ({ Data: r.data })),
                }),
              );
        // Responses line up with the records sent; an ErrorCode marks one that failed.
        batch.forEach((record, i) => {
          const response = output.RequestResponses?.[i];
          results[record.index] = !response
            ? {
                outcome: "retryable",
                code: "MissingResult",
                message: "PutRecordBatch did not report this record",
              }
            : response.ErrorCode
              ? classifyFailedEntry("PutRecordBatch", response.ErrorCode, response.ErrorMessage, undefined)
              : { outcome: "delivered" };
        });
      } catch (error) {
        const result = classifyAwsError(error, `PutRecordBatch to ${target.config.deliveryStreamArn}`);
        for (const record of batch) results[record.index] = result;
      }
    }
    return results;
  }

  /** PutRecordBatch on the lean transport: the body built and signed here, the answer read as the SDK's. */
  private async putLean(
    target: SinkTarget<FirehoseConfig>,
    batch: { data: Buffer }[],
  ): Promise<PutRecordBatchAnswer> {
    const key = this.clients.roleKey(roleTargetOf(target, target.config.deliveryStreamArn));
    await this.clients.credentials.get(key);
    const region = parseArn(target.config.deliveryStreamArn).region;
    const { status, body } = await (this.requests as SignedRequests).send({
      signerKey: `${key.roleArn}\n${key.projectId}`,
      service: "firehose",
      region,
      endpoint: awsEndpoint("firehose", region, this.env),
      credentials: this.clients.credentials.provider(key),
      headers: { ...PUT_RECORD_BATCH_HEADERS },
      body: putRecordBatchBody(
        streamName(target),
        batch.map((r) => r.data),
      ),
    });
    return readPutRecordBatchAnswer(status, body);
  }

  private client(target: SinkTarget<FirehoseConfig>): Promise<FirehoseClient> {
    return this.clients.client(roleTargetOf(target, target.config.deliveryStreamArn));
  }

  release(target: SinkTarget<FirehoseConfig>): void {
    this.clients.release(roleTargetOf(target, target.config.deliveryStreamArn));
  }

  cached(): Record<string, number> {
    return this.clients.cached();
  }

  async close(): Promise<void> {
    this.clients.close();
    await this.requests?.close();
  }
}

function streamName(target: SinkTarget<FirehoseConfig>): string {
  return parseArn(target.config.deliveryStreamArn).resource.replace(/^deliverystream\//, "");
}
