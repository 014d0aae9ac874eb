import { randomUUID } from "node:crypto";
import type { DomainEvent } from "./domain-event";

/**
 * The name of the event `test event-stream` sends. Not in the catalog of what product services
 * emit: it is ours, sent only on a customer's request, and marked `eventAttributes.test = "true"`
 * so a receiver can tell it from real traffic.
 */
export const TEST_EVENT_NAME = "EventStreamTest";

export function testEvent(projectId: string, now: Date = new Date()): DomainEvent {
  return {
    id: randomUUID(),
    name: TEST_EVENT_NAME,
    domain: "identities",
    version: "1",
    timestamp: now,
    projectId,
    eventAttributes: { test: "true" },
    source: "eventstreams-test",
    traceparent: null,
  };
}
