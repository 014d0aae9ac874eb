/**
 * The one shape of an event inside the system, from producer SDK to sinks. Its Avro encoding lives
 * in schemas/; what destinations receive is `toDeliveredEvent` below.
 */
export const DOMAINS = ["identities", "oauth2", "permissions"] as const;
export type Domain = (typeof DOMAINS)[number];

export interface DomainEvent {
  /** UUID, unique per event: the deduplication key for consumers downstream. */
  id: string;
  /** A name from the event catalog, e.g. `IdentityCreated`. */
  name: string;
  domain: Domain;
  /** Version of the event's attribute contract, a string such as "1". */
  version: string;
  /** When it happened. */
  timestamp: Date;
  /** The project (tenant) the event belongs to, a UUID. */
  projectId: string;
  /** Event-specific details; keys may be added at any time and consumers must tolerate new ones. */
  eventAttributes: Record<string, string>;
  /** The service that emitted it, for example `identities-api`. */
  source?: string | null;
  /** W3C trace context of the request that caused it. */
  traceparent?: string | null;
}

/** The JSON object every destination receives (the reference product's shape, plus `id`). */
export interface DeliveredEvent {
  id: string;
  name: string;
  version: string;
  timestamp: string;
  projectId: string;
  eventAttributes: Record<string, string>;
}

export function toDeliveredEvent(event: DomainEvent): DeliveredEvent {
  return {
    id: event.id,
    name: event.name,
    version: event.version,
    timestamp: event.timestamp.toISOString(),
    projectId: event.projectId,
    eventAttributes: event.eventAttributes,
  };
}
