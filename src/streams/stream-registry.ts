import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import pino, { type Logger } from "pino";
import { withAdmin } from "../kafka/with-admin";
import { waitFor } from "../util/wait-for";
import {
  type CatchUpProgress,
  catchUpKeyParts,
  parseCatchUpProgress,
  progressSlot,
  resumeJob,
} from "./catch-up-progress";
import { DEFAULT_CONFIG_TOPIC, ensureConfigTopic } from "./config-topic";
import { type ConnectorPause, effectiveStream, parseConnectorPause, pausedStreamOf } from "./connector-pause";
import { type EventStream, parseEventStream } from "./event-stream";
import { OffsetWaiters } from "./offset-waiters";

export interface StreamRegistryOptions {
  kafka: Kafka;
  topic?: string;
  logger?: Logger;
  /** Used only if the topic does not exist yet and this process creates it. */
  replicationFactor?: number;
  minInsyncReplicas?: number;
}

const NO_STREAMS: readonly EventStream[] = Object.freeze([]);

/**
 * Every event stream, read from the compacted config topic into memory and kept current, as
 * readers should see it: a stream a connector paused at its current revision shows paused (see
 * ConnectorPause). Emits "change" (id, stream | undefined, previous | undefined) after each record
 * that changes what readers see; a stream of undefined means deleted, a previous of undefined new.
 *
 * It never commits offsets: every process (API, connector instances) reads the whole topic from
 * the beginning under a group id of its own, so no two readers ever share or skip records.
 */
export class StreamRegistry extends EventEmitter {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private readonly options: StreamRegistryOptions;
  /** Streams as the API wrote them. */
  private readonly stored = new Map<string, EventStream>();
  /** Connector pauses not yet overtaken by a later revision of their stream. */
  private readonly pauses = new Map<string, ConnectorPause>();
  /** Catch-ups' progress, by stream, then kind and topic (see CatchUpProgress). */
  private readonly catchUps = new Map<string, Map<string, CatchUpProgress>>();
  /** Streams as readers see them (stored, with the pauses applied). */
  private readonly byId = new Map<string, EventStream>();
  private readonly byProject = new Map<string, Map<string, EventStream>>();
  private readonly listCache = new Map<string, readonly EventStream[]>();
  private readonly applied = new OffsetWaiters();
  private consumer: Consumer | undefined;
  private started: Promise<void> | undefined;
  private stopped = false;

  constructor(options: StreamRegistryOptions) {
    super();
    this.options = options;
    this.kafka = options.kafka;
    this.topic = options.topic ?? DEFAULT_CONFIG_TOPIC;
    this.logger = options.logger ?? pino({ level: "warn" });
  }

  /** Resolves once every partition is applied up to the end offset it had when start was called. */
  start(): Promise<void> {
    this.started ??= this.run();
    return this.started;
  }

  /**
   * A project's streams. Lists are cached for projects that have streams only: events come from
   * every project of the platform, and an entry per project without streams would grow with them.
   */
  streamsFor(projectId: string): readonly EventStream[] {
    let list = this.listCache.get(projectId);
    if (!list) {
      const project = this.byProject.get(projectId);
      if (!project) return NO_STREAMS;
      list = Object.freeze([...project.values()]);
      this.listCache.set(projectId, list);
    }
    return list;
  }

  /** The projects that have streams, with how many each. */
  projects(): IterableIterator<[projectId: string, streams: number]> {
    return (function* (byProject) {
      for (const [projectId, streams] of byProject) yield [projectId, streams.size] as [string, number];
    })(this.byProject);
  }

  /** Entries of the per-project list cache (for tests and gauges). */
  get cachedLists(): number {
    return this.listCache.size;
  }

  get(id: string): EventStream | undefined {
    return this.byId.get(id);
  }

  /** How far the catch-up of the stream's last resume got, by topic. */
  catchUpOf(id: string): Map<string, CatchUpProgress> {
    const revision = this.stored.get(id)?.backlog?.resumedRevision;
    return revision === undefined ? new Map() : this.progressOf(id, resumeJob(revision));
  }

  /** How far a catch-up job of the stream got, by topic (none recorded: empty). */
  progressOf(id: string, job: string): Map<string, CatchUpProgress> {
    const current = new Map<string, CatchUpProgress>();
    for (const progress of this.catchUps.get(id)?.values() ?? []) {
      if (progress.job === job) current.set(progress.topic, progress);
    }
    return current;
  }

  /** Every progress record of a stream (for the store to clear them with it). */
  progressRecordsOf(id: string): CatchUpProgress[] {
    return [...(this.catchUps.get(id)?.values() ?? [])];
  }

  /** Whether a connector pause record of this stream is held (for the store to clear it). */
  hasConnectorPause(id: string): boolean {
    return this.pauses.has(id);
  }

  /** Every stream as readers see it. */
  all(): IterableIterator<EventStream> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  /** Resolves once every record written to the topic before this call has been applied here. */
  async catchUp(timeoutMs: number): Promise<void> {
    const ends = await withAdmin(this.kafka, (admin) => admin.fetchTopicOffsets(this.topic));
    await Promise.all(
      ends.map(({ partition, offset }) => this.applied.waitPast(partition, Number(offset) - 1, timeoutMs)),
    );
  }

  /** Resolves once the record at `offset` of `partition` (or a later one) has been applied here. */
  waitForOffset(partition: number, offset: number, timeoutMs: number): Promise<void> {
    return this.applied.waitPast(partition, offset, timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.applied.close(new Error("the stream registry stopped"));
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  private async run(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let endOffsets: { partition: number; offset: string }[];
    try {
      await ensureConfigTopic(admin, {
        topic: this.topic,
        replicationFactor: this.options.replicationFactor ?? -1,
        minInsyncReplicas: this.options.minInsyncReplicas,
      });
      // A topic just created may not have taken up its leader yet ("not the leader for that
      // topic-partition", retriable): ask again until it has.
      endOffsets = await waitFor(() => admin.fetchTopicOffsets(this.topic), {
        timeoutMs: 30_000,
        intervalMs: 100,
        description: `the end offsets of ${this.topic}`,
      });
    } finally {
      await admin.disconnect();
    }
    if (this.stopped) throw new Error("the stream registry stopped while starting");
    const consumer = this.kafka.consumer({
      groupId: `eventstreams-registry-${randomUUID()}`,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      this.logger.error({ err: payload.error, restart: payload.restart }, "stream registry consumer crashed"),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.applyBatch(payload) });
    const caughtUp = endOffsets.map(({ partition, offset }) =>
      this.applied.waitPast(partition, Number(offset) - 1, Number.POSITIVE_INFINITY),
    );
    await Promise.all(caughtUp);
    this.logger.info({ topic: this.topic, streams: this.size }, "stream registry caught up");
  }

  private async applyBatch({ batch }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      // After a rebalance the consumer may start over from the beginning: never step back in time.
      if (offset < this.applied.next(batch.partition)) continue;
      const key = message.key?.toString();
      if (key) this.apply(key, message.value, offset);
      this.applied.advance(batch.partition, offset + 1);
    }
    const last = Number(batch.lastOffset());
    if (last >= 0) this.applied.advance(batch.partition, last + 1);
  }

  private apply(key: string, value: Buffer | null, offset: number): void {
    const catchUp = catchUpKeyParts(key);
    if (catchUp) {
      this.applyCatchUp(catchUp, value, offset);
      return;
    }
    const pausedId = pausedStreamOf(key);
    const id = pausedId ?? key;
    try {
      if (pausedId !== undefined) this.applyPause(pausedId, value);
      else this.applyStored(id, value);
    } catch (error) {
      this.logger.error({ key, offset, err: error }, "skipping an unreadable config record");
      return;
    }
    const previous = this.byId.get(id);
    const stream = effectiveStream(this.stored.get(id), this.pauses.get(id));
    if (stream === previous) return;
    if (previous) this.removeFromProject(previous);
    if (stream) {
      this.byId.set(id, stream);
      let project = this.byProject.get(stream.projectId);
      if (!project) {
        project = new Map();
        this.byProject.set(stream.projectId, project);
      }
      project.set(id, stream);
      this.listCache.delete(stream.projectId);
    } else {
      this.byId.delete(id);
    }
    try {
      this.emit("change", id, stream, previous);
    } catch (error) {
      // A failing listener must not stall the registry: the record is applied either way.
      this.logger.error({ id, err: error }, "a stream change listener failed");
    }
  }

  private applyCatchUp(key: { streamId: string; slot: string }, value: Buffer | null, offset: number): void {
    let slots = this.catchUps.get(key.streamId);
    try {
      if (value === null) slots?.delete(key.slot);
      else {
        const progress = parseCatchUpProgress(value, key.streamId);
        if (progressSlot(progress) !== key.slot) throw new Error("a catch-up record under another key");
        if (!slots) {
          slots = new Map();
          this.catchUps.set(key.streamId, slots);
        }
        slots.set(key.slot, progress);
      }
    } catch (error) {
      this.logger.error({ ...key, offset, err: error }, "skipping an unreadable catch-up record");
      return;
    }
    if (slots?.size === 0) this.catchUps.delete(key.streamId);
    try {
      this.emit("catch-up", key.streamId);
    } catch (error) {
      this.logger.error({ id: key.streamId, err: error }, "a catch-up listener failed");
    }
  }

  private applyStored(id: string, value: Buffer | null): void {
    const stream = value === null ? undefined : parseEventStream(value);
    if (stream) this.stored.set(id, stream);
    else this.stored.delete(id);
    // A pause of an earlier revision can never hold again (revisions only grow), nor one of a
    // deleted stream: forget it. One read before its stream (the stream's record that came first
    // was compacted away) is kept until that stream shows up.
    const pause = this.pauses.get(id);
    if (pause && (!stream || pause.revision < stream.revision)) this.pauses.delete(id);
    if (!stream) this.catchUps.delete(id);
  }

  private applyPause(id: string, value: Buffer | null): void {
    const pause = value === null ? undefined : parseConnectorPause(value, id);
    const stream = this.stored.get(id);
    if (pause && (!stream || pause.revision >= stream.revision)) this.pauses.set(id, pause);
    else this.pauses.delete(id);
  }

  private removeFromProject(stream: EventStream): void {
    const project = this.byProject.get(stream.projectId);
    project?.delete(stream.id);
    if (project?.size === 0) this.byProject.delete(stream.projectId);
    this.listCache.delete(stream.projectId);
  }
}
