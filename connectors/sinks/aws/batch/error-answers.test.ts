import { createHash, randomUUID } from "node:crypto";
import { conformanceEvents } from "../../conformance";
import { createEventBridgeSink } from "../../eventbridge";
import { createFirehoseSink } from "../../firehose";
import { createKinesisSink } from "../../kinesis";
import type { DeliveryResult, Sink } from "../../sink";
import { createSnsSink } from "../../sns";
import { createSqsSink } from "../../sqs";
import type { AwsBatchSinkOptions } from "./aws-batch-sink";
import {
  type CannedAnswer,
  CannedAws,
  HTML_503,
  jsonAnswer,
  jsonError,
  queryError,
  xmlAnswer,
} from "./test/canned-aws";

/**
 * Differential test of the answers: every AWS sink, on each transport, given the very same HTTP
 * answer to its delivery call (throttling, not found, authorization, invalid parameter, a partial
 * batch failure, 5xx, a body that is not the protocol's) maps it to the same delivery results. The
 * answers come from a loopback endpoint named by the standard AWS_ENDPOINT_URL_<SERVICE>; roles are
 * assumed from the emulator's STS as in production.
 */
type Kind =
  | "throttling"
  | "not found"
  | "authorization"
  | "invalid parameter"
  | "partial"
  | "500"
  | "503"
  | "malformed"
  | "empty";

interface ServiceCase {
  name: string;
  endpointSetting: string;
  create: (options: AwsBatchSinkOptions) => Sink<{ roleArn: string }>;
  config: Record<string, string>;
  answers: Record<Kind, CannedAnswer>;
}

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const ROLE = "arn:aws:iam::123456789012:role/differential";

const SNS_PARTIAL = `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful><member><Id>0</Id><MessageId>m0</MessageId></member></Successful><Failed><member><Id>1</Id><Code>InternalError</Code><Message>try again</Message><SenderFault>false</SenderFault></member></Failed></PublishBatchResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishBatchResponse>`;

/** The JSON services' common error answers, in their own codes. */
function jsonErrors(
  protocol: "1.0" | "1.1",
  codes: { throttling: string; notFound: string; auth: string; invalid: string },
) {
  return {
    throttling: jsonError(protocol, 400, codes.throttling, "Rate exceeded"),
    "not found": jsonError(protocol, 400, codes.notFound, "not found"),
    authorization: jsonError(protocol, 400, codes.auth, "not authorized"),
    "invalid parameter": jsonError(protocol, 400, codes.invalid, "invalid"),
    "500": jsonError(protocol, 500, "InternalFailure", "internal"),
    "503": HTML_503,
    malformed: {
      status: 200,
      headers: { "content-type": `application/x-amz-json-${protocol}` },
      body: '{"Recor',
    },
    empty: jsonAnswer(protocol, {}),
  };
}

const CASES: ServiceCase[] = [
  {
    name: "sns",
    endpointSetting: "AWS_ENDPOINT_URL_SNS",
    create: createSnsSink as ServiceCase["create"],
    config: { topicArn: "arn:aws:sns:us-east-1:123456789012:topic" },
    answers: {
      throttling: queryError(400, "Throttling", "Rate exceeded"),
      "not found": queryError(404, "NotFound", "Topic does not exist"),
      authorization: queryError(403, "AuthorizationError", "not authorized"),
      "invalid parameter": queryError(400, "InvalidParameter", "invalid"),
      partial: xmlAnswer(SNS_PARTIAL),
      "500": queryError(500, "InternalError", "internal"),
      "503": HTML_503,
      malformed: xmlAnswer("<PublishBatchResponse><PublishBatchResult><Successful><mem"),
      empty: xmlAnswer(
        `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"></PublishBatchResponse>`,
      ),
    },
  },
  {
    name: "sqs",
    endpointSetting: "AWS_ENDPOINT_URL_SQS",
    create: createSqsSink as ServiceCase["create"],
    config: { queueArn: "arn:aws:sqs:us-east-1:123456789012:queue" },
    answers: {
      throttling: jsonError(
        "1.0",
        400,
        "com.amazonaws.sqs#RequestThrottled",
        "Rate exceeded",
        "RequestThrottled;Sender",
      ),
      "not found": jsonError(
        "1.0",
        400,
        "com.amazonaws.sqs#QueueDoesNotExist",
        "no queue",
        "AWS.SimpleQueueService.NonExistentQueue;Sender",
      ),
      authorization: jsonError(
        "1.0",
        403,
        "com.amazon.coral.service#AccessDeniedException",
        "denied",
        "AccessDenied;Sender",
      ),
      "invalid parameter": jsonError(
        "1.0",
        400,
        "com.amazonaws.sqs#InvalidParameterValueException",
        "invalid",
        "InvalidParameterValue;Sender",
      ),
      // The SDK checks each sent message's MD5: the answer carries the right one.
      partial: jsonAnswer("1.0", (request: string) => ({
        Successful: [
          { Id: "0", MessageId: "m0", MD5OfMessageBody: md5(JSON.parse(request).Entries[0].MessageBody) },
        ],
        Failed: [{ Id: "1", Code: "InternalError", Message: "try again", SenderFault: false }],
      })),
      "500": jsonError("1.0", 500, "com.amazonaws.sqs#InternalError", "internal", "InternalError;Receiver"),
      "503": HTML_503,
      malformed: { status: 200, headers: { "content-type": "application/x-amz-json-1.0" }, body: '{"Succ' },
      empty: jsonAnswer("1.0", {}),
    },
  },
  {
    name: "firehose",
    endpointSetting: "AWS_ENDPOINT_URL_FIREHOSE",
    create: createFirehoseSink as ServiceCase["create"],
    config: { deliveryStreamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/lake" },
    answers: {
      ...jsonErrors("1.1", {
        throttling: "ServiceUnavailableException",
        notFound: "ResourceNotFoundException",
        auth: "AccessDeniedException",
        invalid: "InvalidArgumentException",
      }),
      partial: jsonAnswer("1.1", {
        FailedPutCount: 1,
        RequestResponses: [
          { RecordId: "r0" },
          { ErrorCode: "ServiceUnavailableException", ErrorMessage: "slow down" },
        ],
      }),
    },
  },
  {
    name: "eventbridge",
    endpointSetting: "AWS_ENDPOINT_URL_EVENTBRIDGE",
    create: createEventBridgeSink as ServiceCase["create"],
    config: { eventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/customer" },
    answers: {
      ...jsonErrors("1.1", {
        throttling: "ThrottlingException",
        notFound: "ResourceNotFoundException",
        auth: "AccessDeniedException",
        invalid: "ValidationException",
      }),
      partial: jsonAnswer("1.1", {
        FailedEntryCount: 1,
        Entries: [{ EventId: "e0" }, { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }],
      }),
    },
  },
  {
    name: "kinesis",
    endpointSetting: "AWS_ENDPOINT_URL_KINESIS",
    create: createKinesisSink as ServiceCase["create"],
    config: { streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/events" },
    answers: {
      ...jsonErrors("1.1", {
        throttling: "LimitExceededException",
        notFound: "ResourceNotFoundException",
        auth: "AccessDeniedException",
        invalid: "InvalidArgumentException",
      }),
      partial: jsonAnswer("1.1", {
        FailedRecordCount: 1,
        Records: [
          { SequenceNumber: "1", ShardId: "shardId-000000000000" },
          { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "slow down" },
        ],
      }),
    },
  },
];

/** What each kind must come to on either transport, beside both being equal: outcomes, and whether it is the customer's to fix. */
const EXPECTED: Record<
  Kind,
  { outcomes: DeliveryResult["outcome"][]; misconfiguration: boolean; code?: string; throttled?: boolean }
> = {
  throttling: { outcomes: ["retryable", "retryable"], misconfiguration: false, throttled: true },
  "not found": { outcomes: ["retryable", "retryable"], misconfiguration: true },
  authorization: { outcomes: ["retryable", "retryable"], misconfiguration: true },
  "invalid parameter": { outcomes: ["retryable", "retryable"], misconfiguration: true },
  partial: { outcomes: ["delivered", "retryable"], misconfiguration: false },
  "500": { outcomes: ["retryable", "retryable"], misconfiguration: false },
  "503": { outcomes: ["retryable", "retryable"], misconfiguration: false, code: "ServiceUnavailable" },
  malformed: { outcomes: ["retryable", "retryable"], misconfiguration: false, code: "MalformedResponse" },
  empty: { outcomes: ["retryable", "retryable"], misconfiguration: false, code: "MissingResult" },
};

/** A result as compared: everything but the message, which names the transport's own error text. */
const comparable = (r: DeliveryResult) => ({ ...r, message: undefined });

describe("AWS error answers: the same delivery results on both transports", () => {
  let canned: CannedAws;
  beforeAll(async () => {
    canned = await CannedAws.start();
  });
  afterAll(() => canned.close());

  for (const service of CASES)
    describe(service.name, () => {
      const sinks = new Map<string, Sink<{ roleArn: string }>>();
      const sink = (transport: "sdk" | "lean") => {
        let made = sinks.get(transport);
        if (!made) {
          made = service.create({
            transport,
            env: { ...process.env, [service.endpointSetting]: canned.url },
          });
          sinks.set(transport, made);
        }
        return made;
      };
      afterAll(async () => {
        for (const s of sinks.values()) await s.close?.();
      });

      it.each(Object.keys(EXPECTED) as Kind[])("%s", async (kind) => {
        canned.answerWith(service.answers[kind]);
        const projectId = randomUUID();
        const target = {
          streamId: `es_${projectId.slice(0, 8)}`,
          projectId,
          config: { ...service.config, roleArn: ROLE },
        };
        const events = conformanceEvents(2, projectId);
        const sdk = await sink("sdk").deliver(target, events);
        const lean = await sink("lean").deliver(target, events);
        expect(lean.map(comparable)).toEqual(sdk.map(comparable));
        const expected = EXPECTED[kind];
        expect(sdk.map((r) => r.outcome)).toEqual(expected.outcomes);
        for (const result of sdk) {
          if (result.outcome !== "retryable") continue;
          expect(result.misconfiguration === true).toBe(expected.misconfiguration);
          if (expected.code) expect(result.code).toBe(expected.code);
          // Throttling slows the stream down and is never the destination failing; nothing else is.
          if (kind !== "partial") expect(result.throttled === true).toBe(expected.throttled === true);
        }
      });
    });
});
