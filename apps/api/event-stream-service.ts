import { randomUUID } from "node:crypto";
import type { DeliveryResult, SinkContext, SinkRegistry, VerifyResult } from "../../connectors/sinks";
import { TEST_EVENT_NAME, testEvent } from "../../src/events/test-event";
import { SecretOpenError } from "../../src/secrets/envelope";
import { ownerOf, type StreamSecrets } from "../../src/secrets/stream-secrets";
import { heldJob, replayJob } from "../../src/streams/catch-up-progress";
import { eventTypeEntryProblem } from "../../src/streams/event-filter";
import {
  type Backlog,
  type EventStream,
  newEventStream,
  type Replay,
  type TopicOffsets,
} from "../../src/streams/event-stream";
import { KeyedLock } from "../../src/streams/keyed-lock";
import type { StreamRegistry } from "../../src/streams/stream-registry";
import type { StreamStore } from "../../src/streams/stream-store";
import { errorMessage } from "../../src/util/error-message";
import { ApiError, invalid, notFound } from "./api-error";
import { toSnake } from "./fields";
import type { StreamInput } from "./stream-input";

export interface EventStreamServiceOptions {
  registry: StreamRegistry;
  store: StreamStore;
  sinks: SinkRegistry;
  sinkContext: SinkContext;
  maxStreamsPerProject: number;
  verifyTimeoutMs?: number;
  now?: () => Date;
  /**
   * A project's positions in the domain topics: the connector group's committed offsets (a pause
   * keeps the events from there) or the ends (a resume catches up to there). Without it, a pause
   * keeps no backlog.
   */
  positions?: (projectId: string, at: "end" | { time: number }) => Promise<TopicOffsets>;
  /**
   * Where a pause keeps the stream's events from (`committed`) and a resume catches up to
   * (`end`): the domain topics and the parked topic (see backlogPositions).
   */
  backlogPositions?: (projectId: string, at: "committed" | "end") => Promise<TopicOffsets>;
  /** How long a domain topic keeps its records (ms; undefined: not known). */
  retentionOf?: (topic: string) => number | undefined;
  /** When the oldest event a replay could still read was written (see oldestKeptTime). */
  oldestKept?: (projectId: string) => Promise<number | undefined>;
  /** Seals secret settings before they are stored, opens them to verify, sign and test. */
  secrets: StreamSecrets;
}

/** A paused stream's backlog so far (see EventStreamService.waitingOf). */
export interface BacklogWaiting {
  events: number;
  oldest_event_at: string | null;
  oldest_expires_at: string | null;
}

export interface ReplayRequest {
  /** The caller's id for the replay: asking again with it returns the same replay. */
  id?: string;
  since: number;
  until?: number;
  rate: number;
}

/** A replay and how far it got. */
export interface ReplayView {
  replay: Replay;
  found: number;
  delivered: number;
  failed: number;
  done: boolean;
}

/** What the destination answered to a test event. */
export interface TestEventResult {
  eventId: string;
  name: string;
  outcome: DeliveryResult["outcome"] | "timeout";
  code: string | null;
  message: string | null;
  latencyMs: number;
}

export interface WriteOptions {
  verify: boolean;
  ifMatch?: number;
}

/**
 * The rules of event stream management, between the HTTP routes and the config topic: validation
 * against the sink registry and the catalog, the per-project limit, revisions, verification.
 * Writes of one project run one at a time, so checks and the write they guard cannot interleave
 * within this API process.
 */
export class EventStreamService {
  private readonly lock = new KeyedLock();
  /** Streams with a test event on its way: one at a time, so a tenant cannot flood its destination through us. */
  private readonly testing = new Set<string>();
  private readonly now: () => Date;

  constructor(private readonly options: EventStreamServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  list(projectId: string): readonly EventStream[] {
    return [...this.options.registry.streamsFor(projectId)].sort((a, b) =>
      a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt),
    );
  }

  get(projectId: string, id: string): EventStream {
    const stream = this.options.registry.get(id);
    // Another project's stream is reported missing, not forbidden: ids are not to be probed.
    if (!stream || stream.projectId !== projectId) throw notFound(`event stream ${id}`);
    return stream;
  }

  create(projectId: string, input: StreamInput, options: WriteOptions): Promise<EventStream> {
    return this.lock.run(projectId, async () => {
      const type = input.type ?? "";
      this.checkType(type);
      this.refuseSecretInput(type, input.config);
      const secrets = this.options.sinks.definition(type).secrets;
      // Generated secrets are filled in before validation, which requires them.
      const config = (secrets ? secrets.generate(input.config) : input.config) as Record<string, unknown>;
      this.checkConfig(type, config);
      this.checkEventTypes(input.eventTypes);
      const existing = this.options.registry.streamsFor(projectId).length;
      if (existing >= this.options.maxStreamsPerProject) {
        throw new ApiError(
          409,
          "limit_exceeded",
          `project_id ${projectId} already has ${existing} event streams, the most allowed: delete one first`,
          "project_id",
        );
      }
      const stream = newEventStream(
        { projectId, type, config, status: input.status, eventTypes: input.eventTypes },
        this.now(),
      );
      if (options.verify) await this.verify(stream);
      const stored = await this.options.store.put(await this.seal(stream));
      // The answer to a create shows the generated secrets once: the plain ones, from memory.
      return { ...stored, config: stream.config };
    });
  }

  update(projectId: string, id: string, input: StreamInput, options: WriteOptions): Promise<EventStream> {
    return this.lock.run(projectId, async () => {
      const current = await this.opened(this.get(projectId, id));
      this.checkRevision(current, options.ifMatch);
      if (input.type !== undefined && input.type !== current.type) {
        throw invalid(
          "type",
          `cannot be changed (this stream is ${current.type}): create a new stream instead`,
        );
      }
      this.refuseSecretInput(current.type, input.config);
      const config = { ...current.config, ...input.config };
      const destinationChanged = Object.entries(input.config).some(([k, v]) => current.config[k] !== v);
      if (destinationChanged) this.checkConfig(current.type, config);
      this.checkEventTypes(input.eventTypes);
      const now = this.now().toISOString();
      const status = input.status ?? current.status;
      const resumed = current.status === "paused" && status === "active";
      const paused = current.status === "active" && status === "paused";
      const backlog = paused
        ? await this.backlogAtPause(current)
        : resumed
          ? await this.backlogAtResume({ ...current, config })
          : current.backlog;
      const next: EventStream = {
        ...current,
        config,
        status,
        eventTypes: input.eventTypes ?? current.eventTypes,
        updatedAt: now,
        revision: current.revision + 1,
        pausedAt: paused ? now : status === "active" ? null : current.pausedAt,
        pausedReason: paused ? "paused through the API" : status === "active" ? null : current.pausedReason,
        ...(backlog ? { backlog } : {}),
      };
      if (options.verify && (destinationChanged || resumed)) await this.verify(next);
      return this.options.store.put(await this.seal(next));
    });
  }

  /**
   * Where the stream's events stay while it is paused: from the connector group's committed
   * offsets, or from where an unfinished catch-up had got to, whichever is earlier.
   */
  private async backlogAtPause(stream: EventStream): Promise<Backlog | undefined> {
    const { backlogPositions, registry } = this.options;
    if (!backlogPositions) return undefined;
    const from = await backlogPositions(stream.projectId, "committed");
    if (stream.backlog?.to) {
      // A catch-up still under way: what it has not delivered yet stays in the backlog too.
      const progress = registry.catchUpOf(stream.id);
      for (const [topic, position] of Object.entries(from)) {
        const topicProgress = progress.get(topic);
        if (topicProgress?.done) continue;
        const pending = topicProgress?.next ?? stream.backlog.from[topic]?.offset;
        if (pending !== undefined && BigInt(pending) < BigInt(position.offset))
          from[topic] = { ...position, offset: pending };
      }
    }
    return { from };
  }

  /** A resumed stream catches up from where its pause left it to the ends of now. */
  private async backlogAtResume(stream: EventStream): Promise<Backlog | undefined> {
    const { backlogPositions } = this.options;
    if (!backlogPositions || !stream.backlog) return stream.backlog;
    const ordered = this.options.sinks.definition(stream.type).ordered?.(stream.config) ?? false;
    return {
      from: stream.backlog.from,
      to: await backlogPositions(stream.projectId, "end"),
      resumedRevision: stream.revision + 1,
      ...(ordered ? { inOrder: true } : {}),
    };
  }

  /** A new signing secret; the old one keeps signing for `graceMs` so receivers can switch. */
  rotateSecret(
    projectId: string,
    id: string,
    options: Pick<WriteOptions, "ifMatch"> & { graceMs: number },
  ): Promise<EventStream> {
    return this.lock.run(projectId, async () => {
      const current = await this.opened(this.get(projectId, id));
      this.checkRevision(current, options.ifMatch);
      const secrets = this.options.sinks.definition(current.type).secrets;
      if (!secrets) throw invalid("type", `a ${current.type} stream has no secret to rotate`);
      const now = this.now();
      const rotated: EventStream = {
        ...current,
        config: secrets.rotate(current.config, new Date(now.getTime() + options.graceMs)) as Record<
          string,
          unknown
        >,
        updatedAt: now.toISOString(),
        revision: current.revision + 1,
      };
      const stored = await this.options.store.put(await this.seal(rotated));
      // The answer shows the new secret once, as a create's does.
      return { ...stored, config: rotated.config };
    });
  }

  /**
   * Re-delivers the stream's events with event times in [since, until) (its project's, its
   * filter's), found with the broker's time index; a connector runs it (see CatchUpRunner). One at
   * a time per stream; the same `id` again answers the same replay.
   */
  replay(
    projectId: string,
    id: string,
    request: ReplayRequest,
  ): Promise<{ view: ReplayView; created: boolean }> {
    return this.lock.run(projectId, async () => {
      const current = this.get(projectId, id);
      const { positions, oldestKept } = this.options;
      if (!positions)
        throw new ApiError(503, "replay_unavailable", "replays need the domain topics: not configured here");
      const existing = current.replay;
      if (existing && request.id === existing.id)
        return { view: this.replayView(current, existing.id), created: false };
      if (existing && !existing.cancelledAt && !this.replayView(current, existing.id).done) {
        throw new ApiError(
          409,
          "replay_in_progress",
          `replay ${existing.id} of this stream is still under way: wait for it, or cancel it first`,
          null,
          { replay_id: existing.id },
        );
      }
      const now = this.now().getTime();
      if (request.until !== undefined && request.until <= request.since)
        throw invalid("until", "must be later than since");
      if (request.since > now) throw invalid("since", "is in the future: nothing to replay yet");
      const oldest = await oldestKept?.(current.projectId);
      if (oldest !== undefined && request.since < oldest) {
        throw invalid(
          "since",
          `is older than the events still kept: the oldest is from ${new Date(oldest).toISOString()}; replay from then or later`,
        );
      }
      const replay: Replay = {
        id: request.id ?? randomUUID(),
        since: new Date(request.since).toISOString(),
        until: request.until === undefined ? null : new Date(request.until).toISOString(),
        from: await positions(current.projectId, { time: request.since }),
        to: await positions(current.projectId, request.until === undefined ? "end" : { time: request.until }),
        rate: request.rate,
        requestedAt: new Date(now).toISOString(),
        cancelledAt: null,
      };
      const stored = await this.options.store.put({
        ...current,
        replay,
        updatedAt: replay.requestedAt,
        revision: current.revision + 1,
      });
      return { view: this.replayView(stored, replay.id), created: true };
    });
  }

  replayOf(projectId: string, id: string, replayId: string): ReplayView {
    const stream = this.get(projectId, id);
    if (stream.replay?.id !== replayId) throw notFound(`replay ${replayId}`);
    return this.replayView(stream, replayId);
  }

  /** Stops a replay where it got to; what it delivered stays delivered. */
  cancelReplay(projectId: string, id: string, replayId: string): Promise<ReplayView> {
    return this.lock.run(projectId, async () => {
      const current = this.get(projectId, id);
      const replay = current.replay;
      if (replay?.id !== replayId) throw notFound(`replay ${replayId}`);
      if (replay.cancelledAt) return this.replayView(current, replayId);
      const at = this.now().toISOString();
      const stored = await this.options.store.put({
        ...current,
        replay: { ...replay, cancelledAt: at },
        updatedAt: at,
        revision: current.revision + 1,
      });
      return this.replayView(stored, replayId);
    });
  }

  private replayView(stream: EventStream, replayId: string): ReplayView {
    const replay = stream.replay as Replay;
    const progress = this.options.registry.progressOf(stream.id, replayJob(replayId));
    let found = 0;
    let delivered = 0;
    let done = true;
    for (const [topic, to] of Object.entries(replay.to)) {
      const p = progress.get(topic);
      found += p?.found ?? 0;
      delivered += p?.delivered ?? 0;
      const from = replay.from[topic]?.offset ?? "0";
      if (!p?.done && BigInt(from) < BigInt(to.offset)) done = false;
    }
    return { replay, found, delivered, failed: found - delivered, done };
  }

  /** A resumed stream's catch-up, per domain topic: how far it got of its backlog. */
  catchUpOf(
    stream: EventStream,
  ): Record<string, { next: string; to: string; delivered: number; done: boolean }> {
    const progress = this.options.registry.catchUpOf(stream.id);
    return Object.fromEntries(
      Object.entries(stream.backlog?.to ?? {}).map(([topic, to]) => {
        const p = progress.get(topic);
        const from = stream.backlog?.from[topic]?.offset ?? "0";
        return [
          topic,
          { next: p?.next ?? from, to: to.offset, delivered: p?.delivered ?? 0, done: p?.done ?? false },
        ];
      }),
    );
  }

  /**
   * A paused stream's backlog so far, as the connectors counted it from the pause on: the events
   * kept, when the oldest was written, and when the topic's retention will delete it.
   */
  waitingOf(stream: EventStream): BacklogWaiting | undefined {
    if (stream.status !== "paused" || !stream.backlog || stream.pausedAt === null) return undefined;
    let events = 0;
    let oldest: { at: number; topic: string } | undefined;
    for (const held of this.options.registry.progressOf(stream.id, heldJob(stream.pausedAt)).values()) {
      events += held.found;
      if (held.oldestAt !== undefined && (!oldest || held.oldestAt < oldest.at))
        oldest = { at: held.oldestAt, topic: held.topic };
    }
    const retention = oldest && this.options.retentionOf?.(oldest.topic);
    return {
      events,
      oldest_event_at: oldest ? new Date(oldest.at).toISOString() : null,
      oldest_expires_at: oldest && retention ? new Date(oldest.at + retention).toISOString() : null,
    };
  }

  /** Settings the API masks on reads: the stream type's secrets. */
  secretFields(type: string): readonly string[] {
    return this.options.sinks.types().includes(type)
      ? (this.options.sinks.definition(type).secrets?.fields ?? [])
      : [];
  }

  remove(projectId: string, id: string, options: Pick<WriteOptions, "ifMatch">): Promise<void> {
    return this.lock.run(projectId, async () => {
      const current = this.get(projectId, id);
      this.checkRevision(current, options.ifMatch);
      await this.options.store.delete(id);
    });
  }

  /**
   * Sends one test event through the stream's real sink, from this process: the connector's
   * breaker and counters never see it. Paused streams too, so a destination can be checked
   * before resuming. Answers with what the destination said, within the verification deadline.
   */
  async sendTestEvent(projectId: string, id: string): Promise<TestEventResult> {
    const stream = this.get(projectId, id);
    if (this.testing.has(id)) {
      throw new ApiError(
        409,
        "test_in_progress",
        "a test event of this stream is still on its way: wait for its answer",
      );
    }
    this.testing.add(id);
    const timeoutMs = this.options.verifyTimeoutMs ?? 20_000;
    const event = testEvent(stream.projectId, this.now());
    const sink = this.options.sinks.sink(stream.type, this.options.sinkContext);
    let timer: NodeJS.Timeout | undefined;
    try {
      const { config } = await this.opened(stream);
      const target = { streamId: stream.id, projectId: stream.projectId, config };
      const started = performance.now();
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      const results = await Promise.race([sink.deliver(target, [event]), timeout]);
      const latencyMs = Math.round(performance.now() - started);
      const result = results?.[0];
      const answer = { eventId: event.id, name: TEST_EVENT_NAME, latencyMs };
      if (!result) {
        const message = `the destination did not answer within ${timeoutMs} ms`;
        return { ...answer, outcome: "timeout", code: "TestTimeout", message };
      }
      if (result.outcome === "delivered")
        return { ...answer, outcome: "delivered", code: null, message: null };
      return { ...answer, outcome: result.outcome, code: result.code, message: result.message };
    } finally {
      clearTimeout(timer);
      this.testing.delete(id);
    }
  }

  /** Secrets are generated (and rotated) by us, never chosen by the caller. */
  private refuseSecretInput(type: string, config: Record<string, unknown>): void {
    const generated = this.options.sinks.types().includes(type)
      ? this.options.sinks.definition(type).secrets
      : undefined;
    for (const field of [...(generated?.fields ?? []), ...(generated?.managed ?? [])]) {
      if (field in config)
        throw invalid(toSnake(field), "is set by the service: use rotate-secret to replace the secret");
    }
  }

  /** The stream with its secret settings sealed, as it is stored. */
  private async seal(stream: EventStream): Promise<EventStream> {
    const paths = this.options.sinks.secretPaths(stream.type);
    if (paths.length === 0) return stream;
    try {
      return { ...stream, config: await this.options.secrets.seal(ownerOf(stream), stream.config, paths) };
    } catch (error) {
      throw new ApiError(
        503,
        "secrets_unavailable",
        `the stream's secrets could not be encrypted, so nothing was stored (${errorMessage(error)}): try again once the key service (KMS) answers`,
      );
    }
  }

  /** The stream with its secret settings in plain text, in memory only (to verify, sign, test). */
  private async opened(stream: EventStream): Promise<EventStream> {
    const paths = this.options.sinks.secretPaths(stream.type);
    if (paths.length === 0) return stream;
    try {
      return { ...stream, config: await this.options.secrets.open(ownerOf(stream), stream.config, paths) };
    } catch (error) {
      if (error instanceof SecretOpenError)
        throw new ApiError(
          409,
          "secret_undecryptable",
          `${error.message}: rotate the secret or recreate the stream`,
        );
      throw new ApiError(
        503,
        "secrets_unavailable",
        `the stream's secrets could not be decrypted (${errorMessage(error)}): try again once the key service (KMS) answers`,
      );
    }
  }

  private checkType(type: string): void {
    const types = this.options.sinks.types();
    if (!types.includes(type))
      throw invalid("type", `"${type}" is not a known type: use one of ${types.join(", ")}`);
  }

  private checkConfig(type: string, config: Record<string, unknown>): void {
    const error = this.options.sinks.validateConfig(type, config, this.options.sinkContext);
    if (error) throw invalid(toSnake(error.field), error.message);
  }

  private checkEventTypes(eventTypes: string[] | undefined): void {
    eventTypes?.forEach((entry, index) => {
      const problem = eventTypeEntryProblem(entry);
      if (problem) throw invalid(`event_types[${index}]`, problem);
    });
  }

  private checkRevision(current: EventStream, ifMatch: number | undefined): void {
    if (ifMatch !== undefined && ifMatch !== current.revision) {
      throw new ApiError(
        409,
        "revision_mismatch",
        `revision: the stream is at revision ${current.revision}, not ${ifMatch}: read it again and retry`,
        "revision",
        { current_revision: current.revision },
      );
    }
  }

  private async verify(stream: EventStream): Promise<void> {
    const timeoutMs = this.options.verifyTimeoutMs ?? 20_000;
    const sink = this.options.sinks.sink(stream.type, this.options.sinkContext);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<VerifyResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            code: "VerificationTimeout",
            message: `the destination did not answer within ${timeoutMs} ms`,
          }),
        timeoutMs,
      );
    });
    const target = { streamId: stream.id, projectId: stream.projectId, config: stream.config };
    const result = await Promise.race([sink.verify(target), timeout]).finally(() => clearTimeout(timer));
    if (!result.ok) {
      throw new ApiError(
        422,
        "verification_failed",
        `verification of the destination failed (${result.code}): ${result.message}`,
        null,
        { destination_code: result.code, hint: result.hint ?? null },
      );
    }
  }
}
