import type { Logger } from "pino";
import type { EventStream } from "../../src/streams/event-stream";
import type { StreamRegistry } from "../../src/streams/stream-registry";
import type { StreamStore } from "../../src/streams/stream-store";

/**
 * Pauses streams on the connector's behalf (destination gone for good, or failing for too long),
 * through the same StreamStore as the API, so the pause and its reason show in `get event-stream`.
 * One pause per stream at a time: a batch of 410s must not write a hundred revisions.
 */
export class StreamPauser {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly registry: StreamRegistry,
    private readonly store: StreamStore,
    private readonly logger: Logger,
  ) {}

  pause(stream: EventStream, reason: string): void {
    if (this.inFlight.has(stream.id)) return;
    const current = this.registry.get(stream.id);
    if (!current || current.status === "paused") return;
    this.inFlight.add(stream.id);
    const now = new Date().toISOString();
    this.store
      .put({
        ...current,
        status: "paused",
        pausedAt: now,
        pausedReason: `paused by the connector: ${reason}`,
        updatedAt: now,
        revision: current.revision + 1,
      })
      .then(
        () => this.logger.warn({ streamId: stream.id, reason }, "stream paused by the connector"),
        (error: unknown) =>
          this.logger.error({ streamId: stream.id, err: error }, "could not pause the stream"),
      )
      .finally(() => this.inFlight.delete(stream.id));
  }
}
