import type { SinkContext, SinkRegistry, VerifyResult } from "../../connectors/sinks";
import { isEventName } from "../../src/catalog/catalog";
import { type EventStream, newEventStream } from "../../src/streams/event-stream";
import { KeyedLock } from "../../src/streams/keyed-lock";
import type { StreamRegistry } from "../../src/streams/stream-registry";
import type { StreamStore } from "../../src/streams/stream-store";
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
      return this.options.store.put(stream);
    });
  }

  update(projectId: string, id: string, input: StreamInput, options: WriteOptions): Promise<EventStream> {
    return this.lock.run(projectId, async () => {
      const current = this.get(projectId, id);
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
      const next: EventStream = {
        ...current,
        config,
        status,
        eventTypes: input.eventTypes ?? current.eventTypes,
        updatedAt: now,
        revision: current.revision + 1,
        pausedAt: paused ? now : status === "active" ? null : current.pausedAt,
        pausedReason: paused ? "paused through the API" : status === "active" ? null : current.pausedReason,
      };
      if (options.verify && (destinationChanged || resumed)) await this.verify(next);
      return this.options.store.put(next);
    });
  }

  /** A new signing secret; the old one keeps signing for `graceMs` so receivers can switch. */
  rotateSecret(
    projectId: string,
    id: string,
    options: Pick<WriteOptions, "ifMatch"> & { graceMs: number },
  ): Promise<EventStream> {
    return this.lock.run(projectId, async () => {
      const current = this.get(projectId, id);
      this.checkRevision(current, options.ifMatch);
      const secrets = this.options.sinks.definition(current.type).secrets;
      if (!secrets) throw invalid("type", `a ${current.type} stream has no secret to rotate`);
      const now = this.now();
      return this.options.store.put({
        ...current,
        config: secrets.rotate(current.config, new Date(now.getTime() + options.graceMs)) as Record<
          string,
          unknown
        >,
        updatedAt: now.toISOString(),
        revision: current.revision + 1,
      });
    });
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

  /** Secrets are generated (and rotated) by us, never chosen by the caller. */
  private refuseSecretInput(type: string, config: Record<string, unknown>): void {
    for (const field of this.secretFields(type)) {
      if (field in config)
        throw invalid(toSnake(field), "is generated by the service: use rotate-secret to replace it");
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
    eventTypes?.forEach((name, index) => {
      if (!isEventName(name)) {
        throw invalid(`event_types[${index}]`, `"${name}" is not an event name from the catalog`);
      }
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
