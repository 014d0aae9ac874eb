import {
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { STSClient } from "@aws-sdk/client-sts";
import { LRUCache } from "lru-cache";
import { type DomainEvent, toDeliveredEvent } from "../../../src/events/domain-event";
import { parseArn, roleArnProperty } from "../aws/arn";
import { AssumedRoleClients, describeAwsError, roleTargetOf } from "../aws/assumed-role-clients";
import { MAX_CACHED_ROLES } from "../aws/assumed-role-credentials";
import { type BatchEntryOutput, classifyAwsError, recordBatchResults } from "../aws/errors";
import { awsEndpoint } from "../aws/lean/aws-endpoint";
import { SignedRequests } from "../aws/lean/signed-requests";
import { type AwsTransport, awsTransportSetting } from "../aws/lean/transport-setting";
import { type DeliveryResult, defineSink, type Sink, type SinkTarget, type VerifyResult } from "../sink";
import { readSendMessageBatchAnswer } from "./lean-answer";
import { SEND_MESSAGE_BATCH_HEADERS, sendMessageBatchBody } from "./lean-send-message-batch";

export interface SqsConfig {
  /** `arn:aws:sqs:<region>:<account>:<name>`; a name ending in `.fifo` keeps a project's order. */
  queueArn: string;
  roleArn: string;
}

/** SQS accepts 10 entries and 256 KiB per SendMessageBatch, body and attributes together. */
const MAX_ENTRIES = 10;
const MAX_BYTES = 256 * 1024;

export const sqsSink = defineSink<SqsConfig>({
  type: "sqs",
  description: "Send to an AWS SQS queue through a role the customer lets us assume",
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["queueArn", "roleArn"],
    properties: {
      queueArn: {
        type: "string",
        maxLength: 160,
        pattern: "^arn:aws:sqs:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:[A-Za-z0-9_-]{1,80}(\\.fifo)?$",
        errorMessage: "must be an SQS queue ARN: arn:aws:sqs:<region>:<12-digit account>:<queue name>",
      },
      roleArn: roleArnProperty,
    },
  },
  limits: { maxEvents: MAX_ENTRIES, maxBytes: MAX_BYTES },
  ordered: (config) => config.queueArn.endsWith(".fifo"),
  create: (context) =>
    new SqsSink(undefined, { transport: awsTransportSetting(context.env), env: context.env }),
});

interface Message {
  index: number;
  entry: SendMessageBatchRequestEntry;
  bytes: number;
}

export class SqsSink implements Sink<SqsConfig> {
  private readonly clients: AssumedRoleClients<SQSClient>;
  /** Queue URLs by (ARN, role): looked up once, as the customer's role (as many as roles are kept). */
  private readonly urls = new LRUCache<string, Promise<string>>({ max: MAX_CACHED_ROLES });

  private readonly transport: AwsTransport;
  private readonly env: NodeJS.ProcessEnv;
  /** The lean transport's signed requests (connection pools, signers); only made for it. */
  private readonly requests?: SignedRequests;

  constructor(sts?: STSClient, options: { transport?: AwsTransport; env?: NodeJS.ProcessEnv } = {}) {
    this.clients = new AssumedRoleClients((settings) => new SQSClient(settings), sts);
    this.transport = options.transport ?? "sdk";
    this.env = options.env ?? {};
    if (this.transport === "lean") this.requests = new SignedRequests();
  }

  async verify(target: SinkTarget<SqsConfig>): Promise<VerifyResult> {
    try {
      const QueueUrl = await this.queueUrl(target);
      const body = { name: "EventStreamVerification", version: "1", timestamp: new Date().toISOString() };
      await (await this.client(target)).send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: JSON.stringify({
            ...body,
            projectId: target.projectId,
            eventAttributes: { streamId: target.streamId },
          }),
          ...(fifo(target)
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
        message: `could not send to ${target.config.queueArn} as ${target.config.roleArn}: ${message}`,
        hint: `the role must trust our account with sts:ExternalId = "${target.projectId}" and allow sqs:GetQueueUrl and sqs:SendMessage on the queue`,
      };
    }
  }

  async deliver(target: SinkTarget<SqsConfig>, events: readonly DomainEvent[]): Promise<DeliveryResult[]> {
    const results: DeliveryResult[] = new Array(events.length);
    let queueUrl: string;
    try {
      queueUrl = await this.queueUrl(target);
    } catch (error) {
      return events.map(() => classifyAwsError(error, `GetQueueUrl for ${target.config.queueArn}`));
    }
    const batches: Message[][] = [[]];
    let bytes = 0;
    events.forEach((event, index) => {
      const message = toMessage(event, index, fifo(target));
      if (message.bytes > MAX_BYTES) {
        results[index] = {
          outcome: "permanent",
          code: "MessageTooLarge",
          message: `event ${event.id} is ${message.bytes} bytes as an SQS message; SQS accepts at most ${MAX_BYTES}`,
        };
        return;
      }
      const current = batches[batches.length - 1] as Message[];
      if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + message.bytes > MAX_BYTES)) {
        batches.push([message]);
        bytes = message.bytes;
      } else {
        current.push(message);
        bytes += message.bytes;
      }
    });
    // One batch after the other: a FIFO queue then sees a project's events in order.
    for (const batch of batches) if (batch.length > 0) await this.send(target, queueUrl, batch, results);
    return results;
  }

  private async send(
    target: SinkTarget<SqsConfig>,
    QueueUrl: string,
    batch: Message[],
    results: DeliveryResult[],
  ): Promise<void> {
    try {
      const output =
        this.transport === "lean"
          ? await this.sendLean(target, QueueUrl, batch)
          : await (await this.client(target)).send(
              new SendMessageBatchCommand({ QueueUrl, Entries: batch.map((m) => m.entry) }),
            );
      recordBatchResults(
        "SendMessageBatch",
        batch.map((m) => m.index),
        output,
        results,
      );
    } catch (error) {
      const result = classifyAwsError(error, `SendMessageBatch to ${target.config.queueArn}`);
      for (const m of batch) results[m.index] = result;
    }
  }

  /**
   * SendMessageBatch on the lean transport: the body built and signed here, the answer read as the
   * SDK reads it (per-entry results; an error answer thrown with the code the SDK would give).
   */
  private async sendLean(
    target: SinkTarget<SqsConfig>,
    queueUrl: string,
    batch: Message[],
  ): Promise<BatchEntryOutput> {
    const key = this.clients.roleKey(roleTargetOf(target, target.config.queueArn));
    await this.clients.credentials.get(key);
    const region = parseArn(target.config.queueArn).region;
    const { status, headers, body } = await (this.requests as SignedRequests).send({
      signerKey: `${key.roleArn}\n${key.projectId}`,
      service: "sqs",
      region,
      endpoint: awsEndpoint("sqs", region, this.env),
      credentials: this.clients.credentials.provider(key),
      headers: { ...SEND_MESSAGE_BATCH_HEADERS },
      body: sendMessageBatchBody(
        queueUrl,
        batch.map((m) => m.entry),
      ),
    });
    return readSendMessageBatchAnswer(status, body, headers["x-amzn-query-error"]);
  }

  private queueUrl(target: SinkTarget<SqsConfig>): Promise<string> {
    const key = queueUrlKey(target);
    let url = this.urls.get(key);
    if (!url) {
      const { account, resource } = parseArn(target.config.queueArn);
      url = this.client(target)
        .then((client) =>
          client.send(new GetQueueUrlCommand({ QueueName: resource, QueueOwnerAWSAccountId: account })),
        )
        .then(({ QueueUrl }) => {
          if (!QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${target.config.queueArn}`);
          return QueueUrl;
        });
      this.urls.set(key, url);
      // A failure (queue not created yet, role not trusted yet) is not remembered.
      url.catch(() => this.urls.get(key) === url && this.urls.delete(key));
    }
    return url;
  }

  private client(target: SinkTarget<SqsConfig>): Promise<SQSClient> {
    return this.clients.client(roleTargetOf(target, target.config.queueArn));
  }

  release(target: SinkTarget<SqsConfig>): void {
    this.clients.release(roleTargetOf(target, target.config.queueArn));
    this.urls.delete(queueUrlKey(target));
  }

  cached(): Record<string, number> {
    return { ...this.clients.cached(), queueUrls: this.urls.size };
  }

  async close(): Promise<void> {
    this.clients.close();
    await this.requests?.close();
  }
}

const fifo = (target: SinkTarget<SqsConfig>) => target.config.queueArn.endsWith(".fifo");

function toMessage(event: DomainEvent, index: number, isFifo: boolean): Message {
  const body = JSON.stringify(toDeliveredEvent(event));
  const attributes = { eventName: event.name, domain: event.domain, projectId: event.projectId };
  let bytes = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) bytes += name.length + 6 + Buffer.byteLength(value);
  return {
    index,
    bytes,
    entry: {
      Id: String(index),
      MessageBody: body,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [name, { DataType: "String", StringValue: value }]),
      ),
      ...(isFifo ? { MessageGroupId: event.projectId, MessageDeduplicationId: event.id } : {}),
    },
  };
}

function queueUrlKey(target: SinkTarget<SqsConfig>): string {
  return `${target.config.queueArn}\n${target.config.roleArn}\n${target.projectId}`;
}
