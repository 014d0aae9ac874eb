import { ownerOf } from "../../../src/secrets/stream-secrets";
import type { Backlog, EventStream, Replay } from "../../../src/streams/event-stream";
import { KeyedLock } from "../../../src/streams/keyed-lock";
import { ApiError, invalid, notFound } from "../api-error";
import type { StreamRules } from "../stream-rules";
import type { Applied, EventStreamServiceOptions } from "../stream-service-types";
import type { WriteRequest } from "./write-request";

/** How many write ids a stream keeps (StreamWrites applies a request again only after a crash). */
const LAST_WRITES_KEPT = 8;

/**
 * Applies stream writes where a project's writes are applied one after the other (StreamWrites
 * gives each project to one API instance): the checks that depend on the streams as they are now
 * (revisions, the per-project limit, a replay under way, a pause's backlog position), then the
 * config topic write, recording the write's id so that one applied again after a crash is known.
 */
export class StreamWriter {
  private readonly lock = new KeyedLock();
  private readonly now: () => Date;

  constructor(
    private readonly options: EventStreamServiceOptions,
    private readonly rules: StreamRules,
  ) {
    this.now = options.now ?? (() => new Date());
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

  private async applyUpdate(request: Extract<WriteRequest, { op: "update" }>): Promise<Applied> {
    const { projectId, streamId, input, ifMatch } = request;
    const current = this.rules.get(projectId, streamId);
    if (current.lastWrites?.includes(request.id)) return { ok: true, stream: current };
    this.rules.checkRevision(current, ifMatch);
    // Sealed as a whole: a secret stored in plain text before secrets were sealed is sealed now.
    const { config } = await this.rules.seal({ ...current, config: { ...current.config, ...input.config } });
    if (Object.keys(input.config).length > 0)
      this.rules.checkConfig(current.type, (await this.rules.opened({ ...current, config })).config);
    const now = this.now().toISOString();
    const status = input.status ?? current.status;
    const resumed = current.status === "paused" && status === "active";
    const paused = current.status === "active" && status === "paused";
    const backlog = paused
      ? await this.backlogAtPause(current)
      : resumed
        ? await this.backlogAtResume({ ...current, config })
        : current.backlog;
    const { rateLimit: _previousLimit, ...unlimited } = current;
    const rateLimit = input.rateLimit === undefined ? current.rateLimit : (input.rateLimit ?? undefined);
    return this.put(request, {
      ...unlimited,
      ...(rateLimit !== undefined ? { rateLimit } : {}),
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

  private async applyRotate(request: Extract<WriteRequest, { op: "rotate-secret" }>): Promise<Applied> {
    const current = this.rules.get(request.projectId, request.streamId);
    if (current.lastWrites?.includes(request.id)) return { ok: true, stream: current };
    this.rules.checkRevision(current, request.ifMatch);
    const secrets = this.options.sinks.definition(current.type).secrets;
    if (!secrets) throw invalid("type", `a ${current.type} stream has no secret to rotate`);
    // Sealed values move as they are (they are bound to the stream, not to a setting); one stored
    // in plain text before secrets were sealed is sealed now.
    const rotated = secrets.rotate(current.config, new Date(request.graceUntil), request.fresh);
    const { config } = await this.rules.seal({ ...current, config: rotated as Record<string, unknown> });
    return this.put(request, {
      ...current,
      config,
      updatedAt: this.now().toISOString(),
      revision: current.revision + 1,
    });
  }

  private async applyReplay(request: Extract<WriteRequest, { op: "replay" }>): Promise<Applied> {
    const current = this.rules.get(request.projectId, request.streamId);
    const asked = request.replay;
    const { positions, oldestKept } = this.options;
    if (!positions)
      throw new ApiError(503, "replay_unavailable", "replays need the domain topics: not configured here");
    const existing = current.replay;
    if (existing && asked.id === existing.id) return { ok: true, stream: current, created: false };
    if (existing && !existing.cancelledAt && !this.rules.replayView(current, existing.id).done) {
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

  private async applyCancel(request: Extract<WriteRequest, { op: "cancel-replay" }>): Promise<Applied> {
    const current = this.rules.get(request.projectId, request.streamId);
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

  private async applyRemove(request: Extract<WriteRequest, { op: "remove" }>): Promise<Applied> {
    const current = this.rules.get(request.projectId, request.streamId);
    this.rules.checkRevision(current, request.ifMatch);
    await this.options.store.delete(current.id);
    return { ok: true };
  }

  /**
   * Seals the stream's secrets anew under a key (`eventstreams secrets rewrap`): its revision stays,
   * nothing a customer sees changes. Secrets stored in plain text are sealed too.
   */
  private async applyRewrap(request: Extract<WriteRequest, { op: "rewrap" }>): Promise<Applied> {
    const current = this.rules.get(request.projectId, request.streamId);
    const paths = this.options.sinks.secretPaths(current.type);
    if (paths.length === 0 || current.lastWrites?.includes(request.id)) return { ok: true, stream: current };
    const config = await this.options.secrets.seal(ownerOf(current), current.config, paths, request.toKey);
    return this.put(request, { ...current, config });
  }
}
