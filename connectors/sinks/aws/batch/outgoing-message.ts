import { randomUUID } from "node:crypto";
import { type DomainEvent, toDeliveredEvent } from "../../../../src/events/domain-event";
import type { SinkTarget } from "../../sink";
import type { OutgoingMessage } from "./aws-batch-service";

export function outgoingMessage(event: DomainEvent): OutgoingMessage {
  const { id, name, domain, projectId } = event;
  return { id, name, domain, projectId, body: JSON.stringify(toDeliveredEvent(event)) };
}

/** The message `verify` sends: the delivered-event shape, named so consumers can skip it. */
export function verificationMessage(target: SinkTarget<unknown>): OutgoingMessage {
  const body = {
    name: "EventStreamVerification",
    version: "1",
    timestamp: new Date().toISOString(),
    projectId: target.projectId,
    eventAttributes: { streamId: target.streamId },
  };
  return {
    id: `verify-${randomUUID()}`,
    name: body.name,
    domain: "verification",
    projectId: target.projectId,
    body: JSON.stringify(body),
  };
}
