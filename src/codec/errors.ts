/** An event refused before anything was sent: `field` says which part, `reason` why. */
export class EventValidationError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    /** Position in the batch given to publishMany (0 for publish). */
    readonly index = 0,
  ) {
    super(`invalid event${index > 0 ? ` #${index}` : ""}: ${field}: ${reason}`);
    this.name = "EventValidationError";
  }
}

/** Kafka or the registry could not be reached or refused the send; the message names the address. */
export class PublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PublishError";
  }
}
