import type { OutgoingMessage } from "./aws-batch-service";

/**
 * The attributes SNS and SQS messages carry, so subscribers filter (SNS filter policies, SQS
 * consumers) without parsing the body, and their size as both services count it: each name,
 * data type and value.
 */
export function messageAttributes(message: OutgoingMessage): {
  attributes: Record<string, { DataType: "String"; StringValue: string }>;
  bytes: number;
} {
  const values = { eventName: message.name, domain: message.domain, projectId: message.projectId };
  const attributes: Record<string, { DataType: "String"; StringValue: string }> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(values)) {
    attributes[name] = { DataType: "String", StringValue: value };
    bytes += Buffer.byteLength(name) + "String".length + Buffer.byteLength(value);
  }
  return { attributes, bytes };
}

/** FIFO destinations: a project's events form one group, and a redelivered event id is dropped. */
export function fifoIds(message: OutgoingMessage): {
  MessageGroupId: string;
  MessageDeduplicationId: string;
} {
  return { MessageGroupId: message.projectId, MessageDeduplicationId: message.id };
}
