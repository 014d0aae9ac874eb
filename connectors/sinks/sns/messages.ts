import type { MessageAttributeValue, PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import { type DomainEvent, toDeliveredEvent } from "../../../src/events/domain-event";

/** SNS accepts 256 KiB per message and per PublishBatch request, body and attributes together. */
export const MAX_SNS_BYTES = 256 * 1024;
export const MAX_BATCH_ENTRIES = 10;

export interface SnsMessage {
  /** Index of the event in the `deliver` call, to map results back. */
  index: number;
  entry: PublishBatchRequestEntry;
  bytes: number;
}

/**
 * One PublishBatch entry per event: the delivered-event JSON as the body, and attributes that let
 * subscribers filter (SNS subscription filter policies) without parsing the body.
 */
export function toSnsMessage(event: DomainEvent, index: number, fifo: boolean): SnsMessage {
  const body = JSON.stringify(toDeliveredEvent(event));
  const attributes: Record<string, MessageAttributeValue> = {
    eventName: { DataType: "String", StringValue: event.name },
    domain: { DataType: "String", StringValue: event.domain },
    projectId: { DataType: "String", StringValue: event.projectId },
  };
  const entry: PublishBatchRequestEntry = {
    Id: String(index),
    Message: body,
    MessageAttributes: attributes,
    // FIFO: one project's events stay in order; SNS drops a redelivered id within 5 minutes.
    ...(fifo ? { MessageGroupId: event.projectId, MessageDeduplicationId: event.id } : {}),
  };
  let bytes = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) {
    bytes +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? "") +
      Buffer.byteLength(value.StringValue ?? "");
  }
  return { index, entry, bytes };
}

/** Greedy packing into requests of at most 10 entries and 256 KiB. */
export function packBatches(messages: readonly SnsMessage[]): SnsMessage[][] {
  const batches: SnsMessage[][] = [];
  let current: SnsMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (
      current.length === MAX_BATCH_ENTRIES ||
      (current.length > 0 && bytes + message.bytes > MAX_SNS_BYTES)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
