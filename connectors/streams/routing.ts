import type { DomainEvent } from "../../src/events/domain-event";
import type { CatchUpProgress } from "../../src/streams/catch-up-progress";
import { eventFilterOf } from "../../src/streams/event-filter";
import type { EventStream } from "../../src/streams/event-stream";

/** Where the connector looks up a project's streams (the StreamRegistry, in production). */
export interface StreamLookup {
  streamsFor(projectId: string): readonly EventStream[];
  get(id: string): EventStream | undefined;
  /** How far the catch-up of the stream's last resume got, by domain topic (see CatchUpProgress). */
  catchUpOf(id: string): ReadonlyMap<string, CatchUpProgress>;
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

/** Whether a stream keeps an event for its resume: paused, its project's, its filter's. */
export function keepsWhilePaused(stream: EventStream, event: DomainEvent): boolean {
  return (
    stream.status === "paused" &&
    stream.backlog !== undefined &&
    stream.projectId === event.projectId &&
    eventFilterOf(stream.eventTypes).matches(event.name)
  );
}
