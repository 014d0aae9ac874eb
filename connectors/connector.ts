import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from "kafkajs";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { EventDecodeError } from "../src/codec/event-decoder";
import type { DomainEvent } from "../src/events/domain-event";
import { MAX_INFLATED_BATCH_BYTES, refusedBatchOf } from "../src/kafka/gzip-codec";
import { heartbeatIntervalFor } from "../src/kafka/kafka-client";
import { KeyCachingPartitioner } from "../src/kafka/key-caching-partitioner";
import type { RetryPolicy, SourceRecord } from "../src/retry";
import type { OpenedConfigs } from "../src/secrets/opened-configs";
import type { BreakerSettings } from "../src/settings/connector-settings";
import { DEFAULT_LINGER_MS, DEFAULT_SESSION_TIMEOUT_MS } from "../src/settings/connector-settings";
import { destinationChanged, type EventStream } from "../src/streams/event-stream";
import type { StreamRegistry } from "../src/streams/stream-registry";
import type { StreamStore } from "../src/streams/stream-store";
import { errorMessage } from "../src/util/error-message";
import { CatchUpRunner } from "./catch-up/catch-up-runner";
import { Handovers } from "./catch-up/handovers";
import { PartitionWindow } from "./commits/partition-window";
import type { ConcurrencyBounds } from "./delivery/adaptive-concurrency";
import type { StreamHealth } from "./delivery/circuit-breaker";
import { CircuitBreakers } from "./delivery/circuit-breaker";
import type { DeliveryLog } from "./delivery/delivery-log";
import { GuardedDelivery } from "./delivery/guarded-delivery";
import { StreamDispatcher } from "./delivery/stream-dispatcher";
import { StreamRateLimits } from "./delivery/stream-rate-limits";
import { type ConnectorMetrics, createConnectorMetrics } from "./metrics/metrics";
import { FailedDeliveryWriter } from "./retry/failed-deliveries";
import { TierConsumer } from "./retry/tier-consumer";
import { DEFAULT_CALL_TIMEOUT_MS, type SinkRegistry } from "./sinks";
import { BacklogCounter } from "./streams/backlog-counter";
import { keepsWhilePaused, routeEvent, type StreamLookup } from "./streams/routing";
import { InThreadSinkCalls, type SinkCalls } from "./threads/sink-calls";

/** Turns a record value (Confluent wire format) back into an event; throws for what cannot be read. */
/** `topic` is the domain topic the record was written to (its schema must be that topic's). */
export type DecodeEvent = (value: Buffer, topic: string) => Promise<DomainEvent>;

export interface ConnectorOptions {
  kafka: Kafka;
  groupId: string;
  /** The domain topics to read. */
  topics: readonly string[];
  streams: StreamLookup;
  decode: DecodeEvent;
  /** The sinks' definitions (limits); their calls run through `sinkCalls`. */
  sinks: SinkRegistry;
  /** Where sink calls run (default: on this event loop, with instances from `sinks`). */
  sinkCalls?: SinkCalls;
  /** The environment sinks made on this event loop read their settings from (SinkContext.env). */
  sinkEnv?: NodeJS.ProcessEnv;
  retryPolicy: RetryPolicy;
  breaker: BreakerSettings;
  /** Run a consumer per retry tier in this process too (default true). */
  retryConsumers?: boolean;
  /** Read the domain topics (default true); false runs only the retry tiers. */
  mainPath?: boolean;
  /** Pauses a stream whose destination is gone for good, with the reason (through the StreamStore). */
  pauseStream?: (stream: EventStream, reason: string) => void;
  /** Opens streams' sealed secrets to deliver (see OpenedConfigs); configs as stored without it. */
  openedConfigs?: OpenedConfigs;
  /** Where attempts are recorded for customers to see (`GET .../deliveries`); none by default. */
  deliveryLog?: DeliveryLog;
  /** Resumed streams' backlogs are delivered by this process for the partitions it owns (see CatchUpRunner). */
  catchUps?: { streams: StreamRegistry; store: StreamStore; ratePerSecond: number };
  /** Told each time a stream's health changes (the health topic publisher); undefined once it is deleted. */
  onHealth?: (streamId: string, health: StreamHealth | undefined) => void;
  logger: Logger;
  /** How long a partly filled batch waits for more of its stream's events (default DEFAULT_LINGER_MS). */
  lingerMs?: number;
  /** The operator's bounds of each stream's calls in flight (DEFAULT_CONCURRENCY). */
  streamConcurrency?: ConcurrencyBounds;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /** The longest stop() waits for deliveries in flight (default STOP_TIMEOUT_MS). */
  stopTimeoutMs?: number;
  metricsRegistry?: Registry;
}

/** The longest `stop()` waits for deliveries in flight (Kubernetes' grace period is 30 s). */
const STOP_TIMEOUT_MS = 25_000;

/** Whether `work` settled before `deadline` (epoch ms); it goes on alone if not. */
async function settlesBefore(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A commit goes out this soon after a partition's finished prefix moved, taking along whatever
 * finished meanwhile; at most one is in flight and one waiting. A crash then redoes what was in
 * flight and little more. The interval is the backstop for a commit that failed.
 */
const COMMIT_COALESCE_MS = 10;
const COMMIT_INTERVAL_MS = 1_000;
/** Unfinished records per partition before its reading pauses: bounds memory, not isolation. */
const WINDOW_CAPACITY = 2_000;

/**
 * The sink connector: a consumer group over the domain topics that delivers every event to each
 * active stream of its project. At least once: a partition's offset is committed only after every
 * delivery of every record up to it has succeeded or been handed durably to the retry path.
 */

export class SinkConnector {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly dispatcher: StreamDispatcher;
  private readonly writer: FailedDeliveryWriter;
  private readonly tiers: TierConsumer[];
  private readonly sinkCalls: SinkCalls;
  readonly breakers: CircuitBreakers;
  readonly metrics: ConnectorMetrics;
  readonly metricsRegistry: Registry;
  private assigned = 0;
  private inGroup = false;
  private consumed = 0;
  private progress?: NodeJS.Timeout;
  private committer?: NodeJS.Timeout;
  private commits = Promise.resolve();
  private commitWaiting = false;
  private stopping = false;
  /** The main group's partitions this instance holds now. */
  private owned = new Set<string>();
  private readonly catchUps?: CatchUpRunner;
  private readonly handovers = new Handovers();
  /** Counts what paused streams keep, for `get event-stream` (with the catch-ups: it needs the store). */
  private readonly held?: BacklogCounter;
  /** Per partition, records admitted and not yet committed (see PartitionWindow). */
  private readonly windows = new Map<string, PartitionWindow>();
  /** Consecutive failed attempts to process a partition, for the back-off before reading it again. */
  private readonly readFailures = new Map<string, number>();

  constructor(private readonly options: ConnectorOptions) {
    const { kafka, groupId, logger } = options;
    this.consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 128 * 1024,
      // How long a fetch waits at the broker for data. A partition resumed after a pause for room is
      // only fetched once the fetch under way returns: with Kafka's default of 500 ms, a busy stream
      // at a destination 20 ms away waited that long every time its window drained (4x slower, on
      // one partition). An idle consumer then asks ten times a second: nothing to the broker.
      maxWaitTimeInMs: 100,
      sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatInterval: heartbeatIntervalFor(options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS),
    });
    this.producer = kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      // Retry and dead-letter records are keyed by stream id: the default's answer, remembered.
      createPartitioner: KeyCachingPartitioner,
    });
    this.writer = new FailedDeliveryWriter(this.producer, options.retryPolicy, { log: options.deliveryLog });
    this.metricsRegistry = options.metricsRegistry ?? new Registry();
    this.metrics = createConnectorMetrics(this.metricsRegistry);
    this.breakers = new CircuitBreakers(options.breaker);
    // The pauser logs and de-duplicates (one 410 batch must not write one revision per event).
    const pauseStream = (stream: EventStream, reason: string) => options.pauseStream?.(stream, reason);
    this.breakers.on("change", (streamId: string, health: StreamHealth) => {
      logger.info({ streamId, health: health.status }, "stream health changed");
      options.onHealth?.(streamId, health);
    });
    this.breakers.on("auto-pause", (streamId: string, reason: string) => {
      const stream = options.streams.get(streamId);
      if (stream) pauseStream(stream, `auto-paused: ${reason}`);
    });
    this.sinkCalls =
      options.sinkCalls ?? new InThreadSinkCalls(options.sinks, { logger, env: options.sinkEnv ?? {} });
    const rateLimits = new StreamRateLimits();
    const guard = new GuardedDelivery({
      rateLimits,
      calls: this.sinkCalls,
      breakers: this.breakers,
      metrics: this.metrics,
      logger,
      pauseStream,
      isCurrent: (streamId) => options.streams.get(streamId) !== undefined,
      callTimeoutMs: (type) => options.sinks.definition(type).limits.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      configOf:
        options.openedConfigs && ((stream) => options.openedConfigs?.configOf(stream) ?? stream.config),
    });
    this.tiers =
      options.retryConsumers === false
        ? []
        : options.retryPolicy.tiers.map(
            (tier) =>
              new TierConsumer({
                kafka,
                groupId,
                tier,
                streams: options.streams,
                decode: options.decode,
                guard,
                writer: this.writer,
                log: options.deliveryLog,
                sinks: options.sinks,
                metrics: this.metrics,
                logger,
                sessionTimeoutMs: options.sessionTimeoutMs,
              }),
          );
    this.dispatcher = new StreamDispatcher({
      sinks: options.sinks,
      guard,
      writer: this.writer,
      log: options.deliveryLog,
      metrics: this.metrics,
      logger,
      lingerMs: options.lingerMs ?? DEFAULT_LINGER_MS,
      concurrency: options.streamConcurrency,
      rateLimits,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const owned = new Set(
        Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
          partitions.map((p) => partitionKey(topic, p)),
        ),
      );
      for (const key of this.owned) {
        const [topic, partition] = key.split("\n") as [string, string];
        if (!owned.has(key)) this.handovers.forgetPartition(topic, Number(partition));
      }
      this.owned = owned;
      this.assigned = this.owned.size;
      this.inGroup = true;
      this.retireWindows();
      // Deliveries of partitions now another member's, not sent yet: theirs to send (from the commit).
      const dropped = this.dispatcher.dropUnowned((topic, partition) =>
        owned.has(partitionKey(topic, partition)),
      );
      if (dropped > 0)
        logger.info({ dropped }, "a rebalance moved partitions away: their unsent deliveries dropped");
      logger.info({ groupId, assignment: payload.memberAssignment }, "joined the consumer group");
      this.catchUps?.evaluateSoon();
    });
    if (options.catchUps) {
      const { streams, store } = options.catchUps;
      this.held = new BacklogCounter({
        progressOf: (id, job) => streams.progressOf(id, job),
        get: (id) => streams.get(id),
        record: (progress) => store.putCatchUp(progress),
        logger,
      });
      this.catchUps = new CatchUpRunner({
        kafka,
        groupId,
        streams: options.catchUps.streams,
        store: options.catchUps.store,
        decode: options.decode,
        guard,
        writer: this.writer,
        log: options.deliveryLog,
        logger,
        ratePerSecond: options.catchUps.ratePerSecond,
        maxEvents: 10,
        handovers: this.handovers,
        parkedTopic: options.retryPolicy.parked,
        owns: (topic, partition) => this.owned.has(partitionKey(topic, partition)),
      });
    }
    // A fetch includes its decoding: slow ones leave the read-ahead empty while lag grows.
    this.consumer.on(this.consumer.events.FETCH, ({ payload }) =>
      this.metrics.fetchDuration.observe(payload.duration / 1000),
    );
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      this.inGroup = false;
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.inGroup = false;
      logger.error(
        { groupId, error: errorMessage(payload.error), restart: payload.restart },
        "consumer crashed",
      );
    });
  }

  /**
   * A stream was changed or deleted (the stream registry's "change"): what was kept for its old
   * configuration goes, so nothing stays behind for streams that come and go. Its sink forgets the
   * old target's clients and credentials; its circuit starts afresh on a new destination.
   */
  streamChanged(id: string, stream: EventStream | undefined, previous: EventStream | undefined): void {
    if (!stream) this.handovers.forgetStream(id);
    if (!previous) return;
    // A resumed stream starts a fresh run: its old failures must not pause it again, nor keep it from pausing.
    if (previous.status === "paused" && stream?.status === "active") this.breakers.forget(id);
    if (!destinationChanged(previous, stream)) return;
    const { projectId, config } = previous;
    this.sinkCalls.release(previous.type, { streamId: id, projectId, config });
    this.breakers.forget(id);
    if (!stream) this.options.onHealth?.(id, undefined);
  }

  /** Records read and not yet delivered or handed to the retry path. */
  get readAhead(): number {
    return this.dispatcher.pending;
  }

  /** Partitions this instance owns. */
  get assignedPartitions(): number {
    return this.assigned;
  }

  /** Joined the group and holds its assignment (none is a valid assignment when instances outnumber partitions). */
  get joinedGroup(): boolean {
    return this.inGroup;
  }

  async start(): Promise<void> {
    const mainPath = this.options.mainPath !== false;
    await Promise.all([this.producer.connect(), ...(mainPath ? [this.consumer.connect()] : [])]);
    await Promise.all(this.tiers.map((t) => t.start()));
    this.catchUps?.start();
    this.held?.start();
    if (!mainPath) {
      // The retry tiers alone: healthy streams' deliveries then never share this event loop.
      this.inGroup = true;
      this.options.logger.info({ groupId: this.options.groupId }, "retry tiers running, no main path");
      return;
    }
    await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    this.committer = setInterval(() => void this.commitFinished(), COMMIT_INTERVAL_MS);
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 6,
      eachBatch: (payload) => this.processBatch(payload),
    });
    this.options.logger.info(
      { topics: this.options.topics, groupId: this.options.groupId },
      "connector running",
    );
    this.progress = setInterval(() => this.logProgress(), 10_000);
    this.progress.unref();
  }

  private logProgress(): void {
    const { delivered, handedOff } = this.dispatcher.totals;
    this.options.logger.info(
      {
        consumed: this.consumed,
        delivered,
        handedOff,
        pending: this.dispatcher.pending,
        sinkCalls: this.dispatcher.sinkCalls,
        partitions: this.assigned,
      },
      "progress",
    );
  }

  /**
   * Stops fetching, lets in-flight deliveries finish and commits, then leaves the group. Within
   * `stopTimeoutMs` (default STOP_TIMEOUT_MS): past it, what is unfinished is abandoned, said in a
   * log line, and not committed, so the partitions' next owner delivers it again.
   */
  async stop(): Promise<void> {
    const deadline = Date.now() + (this.options.stopTimeoutMs ?? STOP_TIMEOUT_MS);
    clearInterval(this.progress);
    this.stopping = true;
    try {
      this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
    } catch {
      // Never ran: nothing to pause.
    }
    this.dispatcher.flushAll();
    // A window waiting to be read again holds a record that will not finish here.
    const idle = Promise.all(
      [...this.windows.values()].filter((w) => !w.readingAgain).map((window) => window.idle()),
    );
    if (!(await settlesBefore(idle, deadline))) {
      this.options.logger.warn(
        { unfinished: this.dispatcher.pending, stopTimeoutMs: this.options.stopTimeoutMs ?? STOP_TIMEOUT_MS },
        "stopping: deliveries still unfinished at the deadline are abandoned, not committed",
      );
    }
    clearInterval(this.committer);
    await this.commitFinished();
    await Promise.all([
      this.consumer.disconnect(),
      ...this.tiers.map((t) => t.stop()),
      this.catchUps?.stop(),
      this.held?.stop(),
    ]);
    await this.producer.disconnect();
    // A sink may wait for its calls in flight to end: never past the deadline.
    await settlesBefore(this.sinkCalls.close(), Math.max(deadline, Date.now() + 1_000));
  }

  /**
   * Admits the batch's records into the partition's window and returns at once, so the next fetch
   * does not wait for the slowest destination. Offsets are resolved as records are admitted (that is
   * where kafkajs reads next) and committed only as the window's finished prefix grows.
   */
  private async processBatch({ batch, resolveOffset, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    const window = this.windowFor(topic, partition);
    let admitted = 0;
    for (const message of messages) {
      if (this.stopping || window.retired || window.readingAgain || isStale()) break;
      if (!window.expects(message.offset)) continue; // read again after a seek: already admitted
      if (window.full) {
        this.pauseForRoom(window);
        break;
      }
      const entry = window.admit(message.offset);
      resolveOffset(message.offset);
      admitted++;
      this.processRecord(topic, partition, message).then(
        () => {
          window.finish(entry);
          this.commitSoon();
        },
        (error) => this.readAgain(window, error),
      );
    }
    this.metrics.eventsConsumed.inc({ topic }, admitted);
    this.consumed += admitted;
  }

  private windowFor(topic: string, partition: number): PartitionWindow {
    const key = partitionKey(topic, partition);
    let window = this.windows.get(key);
    if (!window) {
      window = new PartitionWindow(topic, partition, WINDOW_CAPACITY, (w) => this.resumeWithRoom(w));
      this.windows.set(key, window);
    }
    return window;
  }

  private pauseForRoom(window: PartitionWindow): void {
    window.pausedForRoom = true;
    this.consumer.pause([{ topic: window.topic, partitions: [window.partition] }]);
  }

  private resumeWithRoom(window: PartitionWindow): void {
    window.pausedForRoom = false;
    if (!window.retired) this.consumer.resume([{ topic: window.topic, partitions: [window.partition] }]);
  }

  /** After a rebalance kafkajs reads every partition from its committed offset: start new windows. */
  private retireWindows(): void {
    for (const window of this.windows.values()) {
      window.retired = true;
      if (window.pausedForRoom)
        this.consumer.resume([{ topic: window.topic, partitions: [window.partition] }]);
    }
    this.windows.clear();
  }

  /**
   * A record could be neither delivered nor handed to the retry path (the registry or Kafka is
   * unreachable). Read the partition again from its first unfinished record after a back-off:
   * records after it may be delivered twice, none is skipped. The records before it in flight
   * go on meanwhile and still count, so the read starts again as late as it may: one finished in
   * the back-off (a dead-lettered poison record, say) is not done twice.
   */
  private readAgain(window: PartitionWindow, error: unknown): void {
    if (window.retired || window.readingAgain) return;
    window.readingAgain = true;
    const { topic, partition } = window;
    const key = partitionKey(topic, partition);
    const failures = (this.readFailures.get(key) ?? 0) + 1;
    this.readFailures.set(key, failures);
    const backoffMs = Math.min(30_000, 500 * 2 ** (failures - 1));
    this.options.logger.error(
      { topic, partition, offset: window.firstUnfinished(), backoffMs, error: errorMessage(error) },
      "a record could not be processed; reading the partition again from it",
    );
    this.consumer.pause([{ topic, partitions: [partition] }]);
    const again = setTimeout(() => {
      if (this.stopping) return;
      // A rebalance retired the window meanwhile: reading starts again from the commit anyway.
      if (!window.retired) {
        const offset = window.firstUnfinished() as string;
        window.retired = true;
        this.windows.delete(key);
        this.consumer.seek({ topic, partition, offset });
      }
      this.consumer.resume([{ topic, partitions: [partition] }]);
    }, backoffMs);
    again.unref();
  }

  /** See COMMIT_COALESCE_MS. */
  private commitSoon(): void {
    // Stopping commits once, after every window is idle.
    if (this.commitWaiting || this.stopping) return;
    this.commitWaiting = true;
    setTimeout(() => {
      this.commits = this.commits.then(() => {
        this.commitWaiting = false;
        return this.commitOnce();
      });
    }, COMMIT_COALESCE_MS);
  }

  /** Commits every window's finished prefix in one request, after the commit in flight. */
  private commitFinished(): Promise<void> {
    this.commits = this.commits.then(() => this.commitOnce());
    return this.commits;
  }

  private async commitOnce(): Promise<void> {
    const ready = [...this.windows.values()].flatMap((window) => {
      const offset = window.commitPoint();
      return offset === undefined ? [] : [{ window, offset }];
    });
    if (ready.length === 0) return;
    const offsets = ready.map(({ window, offset }) => ({
      topic: window.topic,
      partition: window.partition,
      offset,
    }));
    try {
      await this.consumer.commitOffsets(offsets);
      this.metrics.offsetCommits.inc({ result: "ok" });
      for (const { window, offset } of ready) {
        window.markCommitted(offset);
        this.readFailures.delete(partitionKey(window.topic, window.partition));
      }
    } catch (error) {
      // Lost partitions in a rebalance: their new owner re-reads from the last commit (duplicates, not loss).
      this.metrics.offsetCommits.inc({ result: "failed" });
      this.options.logger.warn({ offsets, error: errorMessage(error) }, "offset commit failed");
    }
  }

  /**
   * Decodes the record and routes it to its project's streams; settles once every delivery of it
   * has succeeded or been handed to the retry path. Not an async function: nothing of kafkajs's
   * message (whose key and value are views of the whole fetch response) outlives this call, and no
   * suspended frame is kept per record while it waits for its destinations (under a backlog, with
   * 25,000 records in flight, they held a third of the event loop's live heap).
   */
  private processRecord(topic: string, partition: number, message: KafkaMessage): Promise<unknown> {
    const source: SourceRecord = {
      topic,
      partition,
      offset: message.offset,
      // A copy: the record keeps it until it is committed, and kafkajs's value is a view.
      value: message.value ? Buffer.from(message.value) : Buffer.alloc(0),
    };
    const refused = refusedBatchOf(message);
    if (refused) return this.deadLetterRefusedBatch(source, refused);
    const writtenAt = Number(message.timestamp);
    return this.options.decode(source.value, topic).then(
      (event) => this.routeRecord(event, source, writtenAt),
      (error) => this.deadLetterUndecodable(source, error),
    );
  }

  /** A decompression bomb: one reference for the whole batch, never its records. */
  private async deadLetterRefusedBatch(
    source: SourceRecord,
    refused: { firstOffset: string; lastOffset: string },
  ): Promise<void> {
    const { topic, partition, offset } = source;
    const reason = `a gzip batch (offsets ${refused.firstOffset} to ${refused.lastOffset}) inflates past ${MAX_INFLATED_BATCH_BYTES / 2 ** 20} MiB; not expanded`;
    this.options.logger.error({ topic, partition, offset, reason }, "refused batch dead-lettered");
    await this.writer.deadLetterUndecodable(source, reason, "batch-too-large");
    this.metrics.deadLettered.inc({ reason: "batch-too-large" });
  }

  private async deadLetterUndecodable(source: SourceRecord, error: unknown): Promise<void> {
    // A transient failure (a registry outage) fails the batch: it is read again, never parked.
    if (!(error instanceof EventDecodeError) || error.transient) throw error;
    const { topic, partition, offset } = source;
    const code = error.code;
    this.options.logger.warn(
      { topic, partition, offset, code, error: errorMessage(error) },
      "undecodable record sent to the dead-letter topic",
    );
    await this.writer.deadLetterUndecodable(source, errorMessage(error), code);
    this.metrics.deadLettered.inc({ reason: "undecodable" });
  }

  private routeRecord(event: DomainEvent, source: SourceRecord, writtenAt: number): Promise<unknown> {
    const { topic, partition } = source;
    const offset = BigInt(source.offset);
    // Routed and decided in one synchronous stretch: a catch-up fixing its hand-over offset sees
    // exactly which records the live path has decided on (see Handovers).
    this.handovers.noteRouted(topic, partition, offset);
    const submissions: Promise<void>[] = [];
    for (const stream of routeEvent(event, this.options.streams)) {
      const submitted = this.handovers.route(
        stream,
        topic,
        partition,
        offset,
        () => this.options.streams.catchUpOf(stream.id).get(topic),
        () => this.dispatcher.submit(stream, { event, source }),
      );
      if (submitted) submissions.push(submitted);
    }
    if (this.held) {
      for (const stream of this.options.streams.streamsFor(event.projectId))
        if (keepsWhilePaused(stream, event)) this.held.held(stream, topic, partition, offset, writtenAt);
    }
    // Most records go to one stream: its promise, without another to wait for it.
    return submissions.length === 1 ? (submissions[0] as Promise<void>) : Promise.all(submissions);
  }
}

const partitionKey = (topic: string, partition: number) => `${topic}\n${partition}`;
