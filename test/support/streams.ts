import { randomUUID } from "node:crypto";
import type { EventStream } from "../../src/streams/event-stream";

/** A valid SNS event stream record, for tests that exercise storage rather than the API. */
export function sampleStream(overrides: Partial<EventStream> = {}): EventStream {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    projectId: randomUUID(),
    type: "sns",
    config: {
      topicArn: "arn:aws:sns:us-east-1:123456789012:sample",
      roleArn: "arn:aws:iam::123456789012:role/sample",
    },
    status: "active",
    eventTypes: [],
    createdAt: now,
    updatedAt: now,
    revision: 1,
    pausedAt: null,
    pausedReason: null,
    ...overrides,
  };
}
