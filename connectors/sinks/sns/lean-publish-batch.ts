import type { MessageAttributeValue, PublishBatchRequestEntry } from "@aws-sdk/client-sns";

/** The API version SNS's Query protocol names in every request. */
export const SNS_API_VERSION = "2010-03-31";

/**
 * A PublishBatch request's parameters in the AWS Query protocol, built directly from the entries
 * (the SDK's serializer does the same work through a generic shape walk, at several times the CPU).
 * Differential tests hold it equal to the SDK's for the same input (lean-publish-batch.test.ts).
 */
export function publishBatchParams(
  topicArn: string,
  entries: readonly PublishBatchRequestEntry[],
): [string, string][] {
  const params: [string, string][] = [
    ["Action", "PublishBatch"],
    ["Version", SNS_API_VERSION],
    ["TopicArn", topicArn],
  ];
  entries.forEach((entry, i) => {
    const at = `PublishBatchRequestEntries.member.${i + 1}`;
    params.push([`${at}.Id`, entry.Id as string], [`${at}.Message`, entry.Message as string]);
    if (entry.Subject !== undefined) params.push([`${at}.Subject`, entry.Subject]);
    if (entry.MessageStructure !== undefined) params.push([`${at}.MessageStructure`, entry.MessageStructure]);
    let n = 0;
    for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
      n++;
      pushAttribute(params, `${at}.MessageAttributes.entry.${n}`, name, value);
    }
    if (entry.MessageDeduplicationId !== undefined)
      params.push([`${at}.MessageDeduplicationId`, entry.MessageDeduplicationId]);
    if (entry.MessageGroupId !== undefined) params.push([`${at}.MessageGroupId`, entry.MessageGroupId]);
  });
  return params;
}

function pushAttribute(
  params: [string, string][],
  at: string,
  name: string,
  value: MessageAttributeValue,
): void {
  params.push([`${at}.Name`, name], [`${at}.Value.DataType`, value.DataType as string]);
  if (value.StringValue !== undefined) params.push([`${at}.Value.StringValue`, value.StringValue]);
  if (value.BinaryValue !== undefined)
    params.push([`${at}.Value.BinaryValue`, Buffer.from(value.BinaryValue).toString("base64")]);
}
