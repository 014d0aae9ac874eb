/** The SDK product services publish events with. */

export { EventValidationError, PublishError } from "../src/codec/errors";
export { createEventDecoder, EventDecodeError, type EventDecoder } from "../src/codec/event-decoder";
export { PublisherClosedError } from "./errors";
export type { EventExtras, EventInput } from "./event-input";
export { createEventPublisher, type EventPublisher, type EventPublisherOptions } from "./publisher";
export type { EventHelper, TypedHelpers } from "./typed-helpers";
