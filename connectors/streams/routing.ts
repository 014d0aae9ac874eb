import type { DomainEvent } from "../../src/events/domain-event";
import { eventFilterOf } from "../../src/streams/event-filter";
import type { EventStream } from "../../src/streams/event-stream";

/** Where the connector looks up a project's streams (the StreamRegistry, in production). */
export interface StreamLookup {
  streamsFor(projectId: string): readonly EventStream[];
  get(id: string): EventStream | undefined;
}

/**
 * The streams an event goes to: its own project's streams only (tenant isolation is this line),
 * active, and whose filter takes the event (see EventFilter).
 */
export function routeEvent(event: DomainEvent, streams: StreamLookup): EventStream[] {
  return streams
    .streamsFor(event.projectId)
    .filter(
      (s) =>
        s.projectId === event.projectId &&
        s.status === "active" &&
        eventFilterOf(s.eventTypes).matches(event.name),
    );
}

/**
 * Whether a record is a resumed stream's catch-up's to deliver, not the live path's: it is older
 * than the stream's backlog boundary (`backlog.to`) in that partition.
 */
export function leftToCatchUp(
  stream: EventStream,
  topic: string,
  partition: number,
  offset: string,
): boolean {
  const boundary = stream.backlog?.to?.[topic];
  return (
    boundary !== undefined && boundary.partition === partition && BigInt(offset) < BigInt(boundary.offset)
  );
}
