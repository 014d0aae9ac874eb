import { randomUUID } from "node:crypto";
import type {
  DeliveryResult,
  SinkContext,
  SinkRegistry,
  VerifyResult,
  VerifyWarning,
} from "../../connectors/sinks";
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
import { MASK } from "./present";
import type { StreamInput } from "./stream-input";
import type { WriteBody, WriteOutcome, WriteRequest } from "./writes/write-request";

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
  /** Where writes are applied one after the other per project, across instances (StreamWrites). */
  writes?: { submit(body: WriteBody): Promise<Applied> };
}

/** A setting's API name: the sink's top-level name in snake_case, what is below it as it is (header names). */
function settingName(field: string): string {
  const [head, ...rest] = field.split(".") as [string, ...string[]];
  return [toSnake(head), ...rest].join(".");
}

/** What an applied write answers (see WriteOutcome). */
export type Applied = Omit<Extract<WriteOutcome, { ok: true }>, "kind" | "id">;

/** How many write ids a stream keeps (StreamWrites applies a request again only after a crash). */
const LAST_WRITES_KEPT = 8;

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

/** A written stream, with what its destination's verification warned about (not stored). */
export type StreamAnswer = EventStream & { warnings?: VerifyWarning[] };

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

  async create(projectId: string, input: StreamInput, options: WriteOptions): Promise<StreamAnswer> {
    const type = input.type ?? "";
    this.checkType(type);
    this.refuseSecretInput(type, input.config);
    const secrets = this.options.sinks.definition(type).secrets;
    // Generated secrets are filled in before validation, which requires them.
    const config = (secrets ? secrets.generate(input.config) : input.config) as Record<string, unknown>;
    this.checkConfig(type, config);
    this.checkEventTypes(input.eventTypes);
    const stream = newEventStream(
      { projectId, type, config, status: input.status, eventTypes: input.eventTypes },
      this.now(),
    );
    const warnings = options.verify ? await this.verify(stream) : [];
    const { stream: stored } = await this.submit({
      op: "create",
      projectId,
      stream: await this.seal(stream),
    });
    // The answer to a create shows the generated secrets once: the plain ones, from memory.
    return { ...(stored as EventStream), config: stream.config, warnings };
  }

  async update(
    projectId: string,
    id: string,
    input: StreamInput,
    options: WriteOptions,
  ): Promise<StreamAnswer> {
    // Checked and verified against the stream as this instance knows it; applied (revision, merge,
    // backlog) against the stream as it is when the project's writes come to it.
    const current = await this.opened(await this.getCurrent(projectId, id));
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
    const resumed = current.status === "paused" && input.status === "active";
    const warnings =
      options.verify && (destinationChanged || resumed) ? await this.verify({ ...current, config }) : [];
    const sealed = await this.seal({ ...current, config: input.config });
    const { stream } = await this.submit({
      op: "update",
      projectId,
      streamId: id,
      input: { ...input, config: sealed.config },
      ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
    });
    return { ...(stream as EventStream), warnings };
  }

  private async applyUpdate(request: Extract<WriteRequest, { op: "update" }>): Promise<Applied> {
    const { projectId, streamId, input, ifMatch } = request;
    const current = this.get(projectId, streamId);
    if (current.lastWrites?.includes(request.id)) return { ok: true, stream: current };
    this.checkRevision(current, ifMatch);
    // Sealed as a whole: a secret stored in plain text before secrets were sealed is sealed now.
    const { config } = await this.seal({ ...current, config: { ...current.config, ...input.config } });
    if (Object.keys(input.config).length > 0)
      this.checkConfig(current.type, (await this.opened({ ...current, config })).config);
    const now = this.now().toISOString();
    const status = input.status ?? current.status;
    const resumed = current.status === "paused" && status === "active";
    const paused = current.status === "active" && status === "paused";
    const backlog = paused
      ? await this.backlogAtPause(current)
      : resumed
        ? await this.backlogAtResume({ ...current, config })
        : current.backlog;
    return this.put(request, {
      ...current,
      config,
      status,
      eventTypes: input.eventTypes ?? current.eventTypes,
      updatedAt: now,
      revision: current.revision + 1,
      pausedAt: paused ? now : status === "active" ? null : current.pausedAt,
      pausedReason: paused ? "paused through the API" : status === "active" ? null : current.pausedReason,
      ...(backlog ? { backlog } : {}),
    });
  }

  private async applyCreate(request: Extract<WriteRequest, { op: "create" }>): Promise<Applied> {
    const { projectId, stream } = request;
    const existing = this.options.registry.get(stream.id);
    if (existing) return { ok: true, stream: existing }; // applied already, before a crash
    const count = this.options.registry.streamsFor(projectId).length;
    if (count >= this.options.maxStreamsPerProject) {
      throw new ApiError(
        409,
        "limit_exceeded",
        `project_id ${projectId} already has ${count} event streams, the most allowed: delete one first`,
        "project_id",
      );
    }
    return this.put(request, stream);
  }

  /** Stores a write's stream with the write's id among its last ones. */
  private async put(request: WriteRequest, stream: EventStream): Promise<Applied> {
    const lastWrites = [...(stream.lastWrites ?? []), request.id].slice(-LAST_WRITES_KEPT);
    const { stream: stored, offset } = await this.options.store.putAt({ ...stream, lastWrites });
    return { ok: true, stream: stored, offset };
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
  async rotateSecret(
    projectId: string,
    id: string,
    options: Pick<WriteOptions, "ifMatch"> & { graceMs: number },
  ): Promise<EventStream> {
    const current = await this.opened(await this.getCurrent(projectId, id));
    const secrets = this.options.sinks.definition(current.type).secrets;
    if (!secrets) throw invalid("type", `a ${current.type} stream has no secret to rotate`);
    // The new secret is made (and sealed) here, so its plain text never leaves this process.
    const fresh = secrets.generate({} as never) as Record<string, unknown>;
    const freshOnly = Object.fromEntries(secrets.fields.filter((f) => f in fresh).map((f) => [f, fresh[f]]));
    const sealed = await this.seal({ ...current, config: freshOnly });
    const { stream } = await this.submit({
      op: "rotate-secret",
      projectId,
      streamId: id,
      fresh: sealed.config,
      graceUntil: new Date(this.now().getTime() + options.graceMs).toISOString(),
      ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
    });
    // The answer shows the new secret (and the one it replaces) once, as a create's does.
    const shown = secrets.rotate(current.config, new Date(Date.now() + options.graceMs), freshOnly);
    return { ...(stream as EventStream), config: shown as Record<string, unknown> };
  }

  private async applyRotate(request: Extract<WriteRequest, { op: "rotate-secret" }>): Promise<Applied> {
    const current = this.get(request.projectId, request.streamId);
    if (current.lastWrites?.includes(request.id)) return { ok: true, stream: current };
    this.checkRevision(current, request.ifMatch);
    const secrets = this.options.sinks.definition(current.type).secrets;
    if (!secrets) throw invalid("type", `a ${current.type} stream has no secret to rotate`);
    // Sealed values move as they are (they are bound to the stream, not to a setting); one stored
    // in plain text before secrets were sealed is sealed now.
    const rotated = secrets.rotate(current.config, new Date(request.graceUntil), request.fresh);
    const { config } = await this.seal({ ...current, config: rotated as Record<string, unknown> });
    return this.put(request, {
      ...current,
      config,
      updatedAt: this.now().toISOString(),
      revision: current.revision + 1,
    });
  }

  /**
   * Re-delivers the stream's events with event times in [since, until) (its project's, its
   * filter's), found with the broker's time index; a connector runs it (see CatchUpRunner). One at
   * a time per stream; the same `id` again answers the same replay.
   */
  async replay(
    projectId: string,
    id: string,
    request: ReplayRequest,
  ): Promise<{ view: ReplayView; created: boolean }> {
    if (request.until !== undefined && request.until <= request.since)
      throw invalid("until", "must be later than since");
    if (request.since > this.now().getTime())
      throw invalid("since", "is in the future: nothing to replay yet");
    const { stream, created } = await this.submit({ op: "replay", projectId, streamId: id, replay: request });
    const replayed = stream as EventStream;
    return { view: this.replayView(replayed, (replayed.replay as Replay).id), created: created === true };
  }

  private async applyReplay(request: Extract<WriteRequest, { op: "replay" }>): Promise<Applied> {
    const current = this.get(request.projectId, request.streamId);
    const asked = request.replay;
    const { positions, oldestKept } = this.options;
    if (!positions)
      throw new ApiError(503, "replay_unavailable", "replays need the domain topics: not configured here");
    const existing = current.replay;
    if (existing && asked.id === existing.id) return { ok: true, stream: current, created: false };
    if (existing && !existing.cancelledAt && !this.replayView(current, existing.id).done) {
      throw new ApiError(
        409,
        "replay_in_progress",
        `replay ${existing.id} of this stream is still under way: wait for it, or cancel it first`,
        null,
        { replay_id: existing.id },
      );
    }
    const oldest = await oldestKept?.(current.projectId);
    if (oldest !== undefined && asked.since < oldest) {
      throw invalid(
        "since",
        `is older than the events still kept: the oldest is from ${new Date(oldest).toISOString()}; replay from then or later`,
      );
    }
    const now = this.now().getTime();
    const replay: Replay = {
      id: asked.id ?? request.id,
      since: new Date(asked.since).toISOString(),
      until: asked.until === undefined ? null : new Date(asked.until).toISOString(),
      from: await positions(current.projectId, { time: asked.since }),
      to: await positions(current.projectId, asked.until === undefined ? "end" : { time: asked.until }),
      rate: asked.rate,
      requestedAt: new Date(now).toISOString(),
      cancelledAt: null,
    };
    const applied = await this.put(request, {
      ...current,
      replay,
      updatedAt: replay.requestedAt,
      revision: current.revision + 1,
    });
    return { ...applied, created: true };
  }

  replayOf(projectId: string, id: string, replayId: string): ReplayView {
    const stream = this.get(projectId, id);
    if (stream.replay?.id !== replayId) throw notFound(`replay ${replayId}`);
    return this.replayView(stream, replayId);
  }

  /** Stops a replay where it got to; what it delivered stays delivered. */
  async cancelReplay(projectId: string, id: string, replayId: string): Promise<ReplayView> {
    const { stream } = await this.submit({ op: "cancel-replay", projectId, streamId: id, replayId });
    return this.replayView(stream as EventStream, replayId);
  }

  private async applyCancel(request: Extract<WriteRequest, { op: "cancel-replay" }>): Promise<Applied> {
    const current = this.get(request.projectId, request.streamId);
    const replay = current.replay;
    if (replay?.id !== request.replayId) throw notFound(`replay ${request.replayId}`);
    if (replay.cancelledAt) return { ok: true, stream: current };
    const at = this.now().toISOString();
    return this.put(request, {
      ...current,
      replay: { ...replay, cancelledAt: at },
      updatedAt: at,
      revision: current.revision + 1,
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
    return this.options.sinks.secretPaths(type);
  }

  async remove(projectId: string, id: string, options: Pick<WriteOptions, "ifMatch">): Promise<void> {
    await this.submit({
      op: "remove",
      projectId,
      streamId: id,
      ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
    });
  }

  private async applyRemove(request: Extract<WriteRequest, { op: "remove" }>): Promise<Applied> {
    const current = this.get(request.projectId, request.streamId);
    this.checkRevision(current, request.ifMatch);
    await this.options.store.delete(current.id);
    return { ok: true };
  }

  /**
   * Seals the stream's secrets anew under a key (`eventstreams secrets rewrap`): its revision stays,
   * nothing a customer sees changes. Secrets stored in plain text are sealed too.
   */
  private async applyRewrap(request: Extract<WriteRequest, { op: "rewrap" }>): Promise<Applied> {
    const current = this.get(request.projectId, request.streamId);
    const paths = this.options.sinks.secretPaths(current.type);
    if (paths.length === 0 || current.lastWrites?.includes(request.id)) return { ok: true, stream: current };
    const config = await this.options.secrets.seal(ownerOf(current), current.config, paths, request.toKey);
    return this.put(request, { ...current, config });
  }

  /**
   * Applies one write where the project's writes are applied one after the other (StreamWrites):
   * the checks that depend on the streams as they are now, then the config topic write.
   */
  apply(request: WriteRequest): Promise<Applied> {
    return this.lock.run(request.projectId, () => {
      switch (request.op) {
        case "create":
          return this.applyCreate(request);
        case "update":
          return this.applyUpdate(request);
        case "rotate-secret":
          return this.applyRotate(request);
        case "remove":
          return this.applyRemove(request);
        case "replay":
          return this.applyReplay(request);
        case "cancel-replay":
          return this.applyCancel(request);
        case "rewrap":
          return this.applyRewrap(request);
      }
    });
  }

  /**
   * Hands a write to the instance that applies the project's writes, waits for its outcome, and
   * until this instance's registry holds it too (a read after the write sees it).
   */
  private async submit(body: WriteBody): Promise<Applied> {
    const { writes } = this.options;
    const applied = writes
      ? await writes.submit(body)
      : await this.apply({ ...body, kind: "request", id: randomUUID() } as WriteRequest);
    if (applied.offset !== undefined) await this.options.registry.waitForOffset(0, applied.offset, 10_000);
    return applied;
  }

  /** The stream, waiting for this instance's registry to catch up once if it does not know it yet. */
  private async getCurrent(projectId: string, id: string): Promise<EventStream> {
    const known = this.options.registry.get(id);
    if (known?.projectId === projectId) return known;
    await this.options.registry.catchUp(10_000);
    return this.get(projectId, id);
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
    // A read's masked value sent back would replace the secret with the mask.
    for (const path of this.options.sinks.secretPaths(type)) {
      const [head, ...rest] = path.split(".") as [string, ...string[]];
      let value: unknown = config[head];
      for (const part of rest) value = (value as Record<string, unknown> | undefined)?.[part];
      if (value === MASK)
        throw invalid(
          toSnake(path),
          "is the masked value of a read: send the secret itself, or leave it out",
        );
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
    if (error) throw invalid(settingName(error.field), error.message);
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

  /** Checks the destination; throws if it cannot be delivered to, returns what should be fixed. */
  private async verify(stream: EventStream): Promise<VerifyWarning[]> {
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
    return result.warnings ?? [];
  }
}
