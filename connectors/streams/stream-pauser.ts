import type { Logger } from "pino";
import type { EventStream, TopicOffsets } from "../../src/streams/event-stream";
import type { StreamRegistry } from "../../src/streams/stream-registry";
import type { StreamStore } from "../../src/streams/stream-store";

/**
 * Pauses streams on the connector's behalf (destination gone for good, or failing for too long)
 * with a pause record of the stream's current revision (see ConnectorPause): it shows in
 * `get event-stream` with its reason, and any API write after it wins over it.
 * One pause per stream at a time: a batch of 410s must not write a hundred records.
 */
export class StreamPauser {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly registry: StreamRegistry,
    private readonly store: StreamStore,
    private readonly logger: Logger,
    /** The connector group's committed positions of a project: where the paused stream's events stay. */
    private readonly positions?: (projectId: string) => Promise<TopicOffsets>,
  ) {}

  pause(stream: EventStream, reason: string): void {
    if (this.inFlight.has(stream.id)) return;
    const current = this.registry.get(stream.id);
    if (!current || current.status === "paused") return;
    this.inFlight.add(stream.id);
    (this.positions ? this.positions(current.projectId) : Promise.resolve(undefined))
      .then((backlogFrom) =>
        this.store.pauseForConnector(current, `paused by the connector: ${reason}`, { backlogFrom }),
      )
      .then(
        () =>
          this.logger.warn(
            { streamId: stream.id, revision: current.revision, reason },
            "stream paused by the connector",
          ),
        (error: unknown) =>
          this.logger.error({ streamId: stream.id, err: error }, "could not pause the stream"),
      )
      .finally(() => this.inFlight.delete(stream.id));
  }
}
