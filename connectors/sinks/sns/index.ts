import { PublishBatchCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { STSClient } from "@aws-sdk/client-sts";
import { LRUCache } from "lru-cache";
import type { DomainEvent } from "../../../src/events/domain-event";
import { AssumedRoleClients, describeAwsError, MAX_SOCKETS, roleTargetOf } from "../aws/assumed-role-clients";
import { classifyAwsError, recordBatchResults } from "../aws/errors";
import { awsEndpoint } from "../aws/lean/aws-endpoint";
import { encodeQuery } from "../aws/lean/aws-query";
import { SignedRequests } from "../aws/lean/signed-requests";
import { type AwsTransport, awsTransportSetting } from "../aws/lean/transport-setting";
import { RequestSlots } from "../request-slots";
import { type DeliveryResult, defineSink, type Sink, type SinkTarget, type VerifyResult } from "../sink";
import { parseTopicArn } from "./arn";
import { type SnsConfig, snsConfigSchema } from "./config";
import { readPublishBatchAnswer } from "./lean-answer";
import { publishBatchParams } from "./lean-publish-batch";
import { MAX_BATCH_ENTRIES, MAX_SNS_BYTES, packBatches, type SnsMessage, toSnsMessage } from "./messages";

/**
 * AWS SNS: assume the customer's role (ExternalId = project id), then PublishBatch to their topic.
 * Our own credentials come from the standard AWS provider chain.
 */
export const snsSink = defineSink<SnsConfig>({
  type: "sns",
  description: "Publish to an AWS SNS topic through a role the customer lets us assume",
  configSchema: snsConfigSchema,
  validate(config) {
    const topic = parseTopicArn(config.topicArn);
    if (config.roleArn.split(":")[4] === undefined) return { field: "roleArn", message: "has no account" };
    return topic.name.length > 256
      ? { field: "topicArn", message: "has a topic name over 256 characters" }
      : undefined;
  },
  limits: { maxEvents: MAX_BATCH_ENTRIES, maxBytes: MAX_SNS_BYTES, concurrency: MAX_SOCKETS },
  ordered: (config) => parseTopicArn(config.topicArn).fifo,
  create: (context) =>
    new SnsSink(undefined, { transport: awsTransportSetting(context.env), env: context.env }),
});

export class SnsSink implements Sink<SnsConfig> {
  /** One client per region and role, all on one connection pool of MAX_SOCKETS per endpoint. */
  private readonly clients: AssumedRoleClients<SNSClient>;
  /** Per region: more batches than sockets wait here, not in the agent (see RequestSlots). */
  /** Per region; a tenant names its topic's region, so the regions remembered are bounded too. */
  private readonly slots = new LRUCache<string, RequestSlots>({ max: 64 });

  private readonly transport: AwsTransport;
  private readonly env: NodeJS.ProcessEnv;
  /** The lean transport's signed requests (connection pools, signers); only made for it. */
  private readonly requests?: SignedRequests;

  /** `sts` is our own identity's client (standard provider chain); tests pass one they observe. */
  constructor(sts?: STSClient, options: { transport?: AwsTransport; env?: NodeJS.ProcessEnv } = {}) {
    this.clients = new AssumedRoleClients((settings) => new SNSClient(settings), sts);
    this.transport = options.transport ?? "sdk";
    this.env = options.env ?? {};
    if (this.transport === "lean") this.requests = new SignedRequests();
  }

  async verify(target: SinkTarget<SnsConfig>): Promise<VerifyResult> {
    const { topicArn, roleArn } = target.config;
    try {
      await this.clients.credentials.get(this.clients.roleKey(roleTargetOf(target, target.config.topicArn)));
    } catch (error) {
      const { code, message } = describeAwsError(error);
      return {
        ok: false,
        code,
        message: `could not assume ${roleArn}: ${message}`,
        hint: `the role's trust policy must allow sts:AssumeRole for our account with the condition sts:ExternalId = "${target.projectId}" (your project id)`,
      };
    }
    try {
      await (await this.client(target)).send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify({
            name: "EventStreamVerification",
            version: "1",
            timestamp: new Date().toISOString(),
            projectId: target.projectId,
            eventAttributes: { streamId: target.streamId },
          }),
          ...(parseTopicArn(topicArn).fifo
            ? { MessageGroupId: target.projectId, MessageDeduplicationId: `verify-${Date.now()}` }
            : {}),
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
        message: `could not publish to ${topicArn} as ${roleArn}: ${message}`,
        hint: "the role needs sns:Publish on the topic, and the topic must exist in the region of its ARN",
      };
    }
  }

  async deliver(target: SinkTarget<SnsConfig>, events: readonly DomainEvent[]): Promise<DeliveryResult[]> {
    const fifo = parseTopicArn(target.config.topicArn).fifo;
    const results: DeliveryResult[] = new Array(events.length);
    const fitting: SnsMessage[] = [];
    events.forEach((event, index) => {
      const message = toSnsMessage(event, index, fifo);
      if (message.bytes > MAX_SNS_BYTES) {
        results[index] = {
          outcome: "permanent",
          code: "MessageTooLarge",
          message: `event ${event.id} is ${message.bytes} bytes as an SNS message; SNS accepts at most ${MAX_SNS_BYTES}`,
        };
      } else fitting.push(message);
    });
    const client = this.transport === "sdk" ? this.client(target) : undefined;
    client?.catch(() => undefined); // each batch awaits it and reports the failure as its result
    const region = parseTopicArn(target.config.topicArn).region;
    let slots = this.slots.get(region);
    if (!slots) {
      slots = new RequestSlots(MAX_SOCKETS);
      this.slots.set(region, slots);
    }
    // FIFO batches go one after the other so the topic sees the project's events in order.
    const batches = packBatches(fitting);
    const publish = (batch: SnsMessage[]) =>
      (slots as RequestSlots).run(() =>
        client
          ? this.publishBatch(client, target.config.topicArn, batch, results)
          : this.publishLean(target, batch, results),
      );
    if (fifo) for (const batch of batches) await publish(batch);
    else await Promise.all(batches.map(publish));
    return results;
  }

  private async publishBatch(
    client: Promise<SNSClient>,
    topicArn: string,
    batch: SnsMessage[],
    results: DeliveryResult[],
  ): Promise<void> {
    try {
      const output = await (await client).send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: batch.map((m) => m.entry),
        }),
      );
      recordBatchResults(
        "PublishBatch",
        batch.map((m) => m.index),
        output,
        results,
      );
    } catch (error) {
      const result = classifyAwsError(error, `PublishBatch to ${topicArn}`);
      for (const m of batch) results[m.index] = result;
    }
  }

  /**
   * PublishBatch on the lean transport: the role assumed as through the SDK (its refusal is the
   * same result), the request built and signed here, SNS's answer read and mapped as the SDK's is.
   */
  private async publishLean(target: SinkTarget<SnsConfig>, batch: SnsMessage[], results: DeliveryResult[]) {
    const { topicArn } = target.config;
    const indexes = batch.map((m) => m.index);
    try {
      const key = this.clients.roleKey(roleTargetOf(target, topicArn));
      await this.clients.credentials.get(key);
      const region = parseTopicArn(topicArn).region;
      const { status, body } = await (this.requests as SignedRequests).send({
        signerKey: `${key.roleArn}\n${key.projectId}`,
        service: "sns",
        region,
        endpoint: awsEndpoint("sns", region, this.env),
        credentials: this.clients.credentials.provider(key),
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: encodeQuery(
          publishBatchParams(
            topicArn,
            batch.map((m) => m.entry),
          ),
        ),
      });
      const answer = readPublishBatchAnswer(status, body);
      if (answer.ok) {
        recordBatchResults(
          "PublishBatch",
          indexes,
          {
            Successful: answer.successful.map((s) => ({ Id: s.id })),
            Failed: answer.failed.map((f) => ({
              Id: f.id,
              Code: f.code,
              Message: f.message,
              SenderFault: f.senderFault,
            })),
          },
          results,
        );
        return;
      }
      const error = {
        Code: answer.code,
        message: answer.message,
        $metadata: { httpStatusCode: answer.status },
      };
      const result = classifyAwsError(error, `PublishBatch to ${topicArn}`);
      for (const index of indexes) results[index] = result;
    } catch (error) {
      const result = classifyAwsError(error, `PublishBatch to ${topicArn}`);
      for (const index of indexes) results[index] = result;
    }
  }

  /** One client per region and credential set, kept until its stream changes (or the LRU drops it). */
  private client(target: SinkTarget<SnsConfig>): Promise<SNSClient> {
    return this.clients.client(roleTargetOf(target, target.config.topicArn));
  }

  release(target: SinkTarget<SnsConfig>): void {
    this.clients.release(roleTargetOf(target, target.config.topicArn));
  }

  cached(): Record<string, number> {
    return { ...this.clients.cached(), regions: this.slots.size };
  }

  async close(): Promise<void> {
    this.clients.close();
    await this.requests?.close();
  }
}
