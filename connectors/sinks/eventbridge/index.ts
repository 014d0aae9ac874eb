import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { AwsBatchService } from "../aws/batch/aws-batch-service";
import { AwsBatchSink, type AwsBatchSinkOptions } from "../aws/batch/aws-batch-sink";
import { defineAwsSink } from "../aws/batch/define-aws-sink";
import { answersInOrder } from "../aws/batch/entry-answers";
import {
  PUT_EVENTS_HEADERS,
  type PutEventsOutput,
  putEventsBody,
  readPutEventsAnswer,
} from "./lean-put-events";

export interface EventBridgeConfig {
  /** `arn:aws:events:<region>:<account>:event-bus/<name>`: the customer's bus, in their account. */
  eventBusArn: string;
  roleArn: string;
}

/**
 * EventBridge PutEvents: each event as one bus event, `source` `eventstreams.<domain>` and
 * `detail-type` the event name (what the customer's rules match on), the delivered-event JSON as
 * `detail`; 10 entries and 256 KiB per call, counted as EventBridge counts them.
 */
export const eventBridgeService: AwsBatchService<
  EventBridgeConfig,
  PutEventsRequestEntry,
  PutEventsOutput,
  EventBridgeClient
> = {
  service: { endpointPrefix: "events", sdkId: "EventBridge" },
  title: "EventBridge",
  operation: "PutEvents",
  resourceArn: (config) => config.eventBusArn,
  limits: { maxEntries: 10, maxBatchBytes: 256 * 1024, maxEntryBytes: 256 * 1024, unit: "event" },
  entry(message, _id, config) {
    const entry = {
      Source: `eventstreams.${message.domain}`,
      DetailType: message.name,
      Detail: message.body,
      EventBusName: config.eventBusArn,
    };
    // EventBridge's own count: Source, DetailType and Detail in UTF-8 (the bus name is not counted).
    const bytes =
      Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);
    return { entry, bytes };
  },
  address: (config) => config.eventBusArn,
  answers: (output, ids) => answersInOrder(output.Entries, ids),
  sdk: {
    client: (settings) => new EventBridgeClient(settings),
    send: (client, _bus, entries) => client.send(new PutEventsCommand({ Entries: entries })),
  },
  lean: {
    request: (_bus, entries) => ({ headers: { ...PUT_EVENTS_HEADERS }, body: putEventsBody(entries) }),
    read: readPutEventsAnswer,
  },
  permissions: "events:PutEvents on the event bus",
  resourceKind: "event bus",
};

export const eventBridgeSink = defineAwsSink({
  type: "eventbridge",
  description: "Put events on an Amazon EventBridge event bus through a role the customer lets us assume",
  service: eventBridgeService,
  resource: {
    field: "eventBusArn",
    schema: {
      type: "string",
      maxLength: 320,
      pattern: "^arn:aws:events:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:event-bus/[A-Za-z0-9._/-]{1,256}$",
      errorMessage:
        "must be an EventBridge event bus ARN: arn:aws:events:<region>:<12-digit account>:event-bus/<name>",
    },
  },
});

export const createEventBridgeSink = (options: AwsBatchSinkOptions) =>
  new AwsBatchSink(eventBridgeService, options);
