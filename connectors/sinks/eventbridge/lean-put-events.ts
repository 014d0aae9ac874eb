import type { PutEventsCommandOutput, PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { readJsonListAnswer } from "../aws/lean/json-answer";
import type { AwsAnswer } from "../aws/lean/signed-requests";

/** The headers of PutEvents in EventBridge's AWS JSON 1.1 protocol, as the SDK sends them. */
export const PUT_EVENTS_HEADERS = {
  "content-type": "application/x-amz-json-1.1",
  "x-amz-target": "AWSEvents.PutEvents",
} as const;

/**
 * A PutEvents request's JSON body, built directly. Differential tests hold it equal to the SDK
 * serializer's for the same input (lean-put-events.test.ts).
 */
export function putEventsBody(entries: readonly PutEventsRequestEntry[]): string {
  return JSON.stringify({
    // In the order the sink builds an entry, which the SDK's serializer keeps.
    Entries: entries.map((e) => ({
      Source: e.Source,
      DetailType: e.DetailType,
      Detail: e.Detail,
      EventBusName: e.EventBusName,
    })),
  });
}

export type PutEventsOutput = Pick<PutEventsCommandOutput, "Entries">;

/** EventBridge's answer to PutEvents: one result per entry, in order, else the SDK's error. */
export const readPutEventsAnswer = (answer: AwsAnswer): PutEventsOutput =>
  readJsonListAnswer(answer, { service: "EventBridge", operation: "PutEvents", list: "Entries" });
