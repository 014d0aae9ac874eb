/** The SDK product services publish events with. */

export { createEventDecoder, EventDecodeError, type EventDecoder } from "../src/events/event-decoder";
export { EventValidationError, PublishError, PublisherClosedError } from "./errors";
export type { EventExtras, EventInput } from "./event-input";
export { createEventPublisher, type EventPublisher, type EventPublisherOptions } from "./publisher";
export type { EventHelper, TypedHelpers } from "./typed-helpers";
