import { randomUUID } from "node:crypto";
import type { VerifyResult, VerifyWarning } from "../../connectors/sinks";
import { TEST_EVENT_NAME, testEvent } from "../../src/events/test-event";
import { heldJob } from "../../src/streams/catch-up-progress";
import { type EventStream, newEventStream, type Replay } from "../../src/streams/event-stream";
import { ApiError, invalid, notFound } from "./api-error";
import type { Principal } from "./auth";
import type { StreamInput } from "./stream-input";
import { StreamRules } from "./stream-rules";
import type {
  Applied,
  BacklogWaiting,
  EventStreamServiceOptions,
  ReplayRequest,
  ReplayView,
  StreamAnswer,
  TestEventResult,
  WriteOptions,
} from "./stream-service-types";
import { StreamWriter } from "./writes/stream-writer";
import type { WriteBody, WriteRequest } from "./writes/write-request";

export type * from "./stream-service-types";

/**
 * Event stream management between the HTTP routes and the writes topic: a write is checked here
 * (its own validity against the sink registry and the catalog, the destination's verification),
 * its new secrets sealed, then handed to the instance that applies the project's writes
 * (StreamWriter, through StreamWrites); reads come from this instance's registry.
 */
export class EventStreamService {
  private readonly rules: StreamRules;
  private readonly writer: StreamWriter;
  /** Streams with a test event on its way: one at a time, so a tenant cannot flood its destination through us. */
  private readonly testing = new Set<string>();
  private readonly now: () => Date;

  constructor(private readonly options: EventStreamServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.rules = new StreamRules(options);
    this.writer = new StreamWriter(options, this.rules);
  }

  /** Applies a write here: this instance was given the project's writes (see StreamWrites). */
  apply(request: WriteRequest): Promise<Applied> {
    return this.writer.apply(request);
  }

  /**
   * The projects a principal may manage, in id order, from `after` on, at most `limit`: an admin's
   * are those with streams; a project token's is its own, streams or not.
   */
  projects(
    principal: Principal,
    page: { after?: string; limit: number },
  ): { projects: { id: string; streams: number }[]; more: boolean } {
    const all =
      principal.kind === "project"
        ? [{ id: principal.projectId, streams: this.options.registry.streamsFor(principal.projectId).length }]
        : [...this.options.registry.projects()].map(([id, streams]) => ({ id, streams }));
    const after = page.after;
    const listed = all
      .filter((p) => after === undefined || p.id > after)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { projects: listed.slice(0, page.limit), more: listed.length > page.limit };
  }

  list(projectId: string): readonly EventStream[] {
    return [...this.options.registry.streamsFor(projectId)].sort((a, b) =>
      a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt),
    );
  }

  get(projectId: string, id: string): EventStream {
    return this.rules.get(projectId, id);
  }

  async create(projectId: string, input: StreamInput, options: WriteOptions): Promise<StreamAnswer> {
    const type = input.type ?? "";
    this.rules.checkType(type);
    this.rules.refuseSecretInput(type, input.config);
    const secrets = this.options.sinks.definition(type).secrets;
    // Generated secrets are filled in before validation, which requires them.
    const config = (secrets ? secrets.generate(input.config) : input.config) as Record<string, unknown>;
    this.rules.checkConfig(type, config);
    this.rules.checkEventTypes(input.eventTypes);
    const stream = newEventStream(
      {
        projectId,
        type,
        config,
        status: input.status,
        eventTypes: input.eventTypes,
        ...(typeof input.rateLimit === "number" ? { rateLimit: input.rateLimit } : {}),
      },
      this.now(),
    );
    const warnings = options.verify ? await this.verify(stream) : [];
    const { stream: stored } = await this.submit({
      op: "create",
      projectId,
      stream: await this.rules.seal(stream),
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
    const current = await this.rules.opened(await this.getCurrent(projectId, id));
    if (input.type !== undefined && input.type !== current.type) {
      throw invalid(
        "type",
        `cannot be changed (this stream is ${current.type}): create a new stream instead`,
      );
    }
    this.rules.refuseSecretInput(current.type, input.config);
    const config = { ...current.config, ...input.config };
    const destinationChanged = Object.entries(input.config).some(([k, v]) => current.config[k] !== v);
    if (destinationChanged) this.rules.checkConfig(current.type, config);
    this.rules.checkEventTypes(input.eventTypes);
    const resumed = current.status === "paused" && input.status === "active";
    const warnings =
      options.verify && (destinationChanged || resumed) ? await this.verify({ ...current, config }) : [];
    const sealed = await this.rules.seal({ ...current, config: input.config });
    const { stream } = await this.submit({
      op: "update",
      projectId,
      streamId: id,
      input: { ...input, config: sealed.config },
      ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
    });
    return { ...(stream as EventStream), warnings };
  }

  /** A new signing secret; the old one keeps signing for `graceMs` so receivers can switch. */
  async rotateSecret(
    projectId: string,
    id: string,
    options: Pick<WriteOptions, "ifMatch"> & { graceMs: number },
  ): Promise<EventStream> {
    const current = await this.rules.opened(await this.getCurrent(projectId, id));
    const secrets = this.options.sinks.definition(current.type).secrets;
    if (!secrets) throw invalid("type", `a ${current.type} stream has no secret to rotate`);
    // The new secret is made (and sealed) here, so its plain text never leaves this process.
    const fresh = secrets.generate({} as never) as Record<string, unknown>;
    const freshOnly = Object.fromEntries(secrets.fields.filter((f) => f in fresh).map((f) => [f, fresh[f]]));
    const sealed = await this.rules.seal({ ...current, config: freshOnly });
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
    return {
      view: this.rules.replayView(replayed, (replayed.replay as Replay).id),
      created: created === true,
    };
  }

  replayOf(projectId: string, id: string, replayId: string): ReplayView {
    const stream = this.rules.get(projectId, id);
    if (stream.replay?.id !== replayId) throw notFound(`replay ${replayId}`);
    return this.rules.replayView(stream, replayId);
  }

  /** Stops a replay where it got to; what it delivered stays delivered. */
  async cancelReplay(projectId: string, id: string, replayId: string): Promise<ReplayView> {
    const { stream } = await this.submit({ op: "cancel-replay", projectId, streamId: id, replayId });
    return this.rules.replayView(stream as EventStream, replayId);
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
    return this.rules.get(projectId, id);
  }

  /**
   * Sends one test event through the stream's real sink, from this process: the connector's
   * breaker and counters never see it. Paused streams too, so a destination can be checked
   * before resuming. Answers with what the destination said, within the verification deadline.
   */
  async sendTestEvent(projectId: string, id: string): Promise<TestEventResult> {
    const stream = this.rules.get(projectId, id);
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
      const { config } = await this.rules.opened(stream);
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
