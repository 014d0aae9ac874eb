export class PublisherClosedError extends Error {
  constructor() {
    super("the event publisher is closed");
    this.name = "PublisherClosedError";
  }
}
