import { SecretOpenError } from "../../src/secrets/envelope";
import { ownerOf } from "../../src/secrets/stream-secrets";
import { replayJob } from "../../src/streams/catch-up-progress";
import { eventTypeEntryProblem } from "../../src/streams/event-filter";
import type { EventStream, Replay } from "../../src/streams/event-stream";
import { errorMessage } from "../../src/util/error-message";
import { ApiError, invalid, notFound } from "./api-error";
import { toSnake } from "./fields";
import { MASK } from "./present";
import type { EventStreamServiceOptions, ReplayView } from "./stream-service-types";

/** A setting's API name: the sink's top-level name in snake_case, what is below it as it is (header names). */
function settingName(field: string): string {
  const [head, ...rest] = field.split(".") as [string, ...string[]];
  return [toSnake(head), ...rest].join(".");
}

/**
 * The checks of event stream management, shared by where a write arrives (EventStreamService) and
 * where it is applied (StreamWriter): a stream of the project, its type, settings and filter, its
 * revision, and the sealing and opening of its secrets.
 */
export class StreamRules {
  constructor(private readonly options: EventStreamServiceOptions) {}

  get(projectId: string, id: string): EventStream {
    const stream = this.options.registry.get(id);
    // Another project's stream is reported missing, not forbidden: ids are not to be probed.
    if (!stream || stream.projectId !== projectId) throw notFound(`event stream ${id}`);
    return stream;
  }

  /** Secrets are generated (and rotated) by us, never chosen by the caller. */
  refuseSecretInput(type: string, config: Record<string, unknown>): void {
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
  async seal(stream: EventStream): Promise<EventStream> {
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
  async opened(stream: EventStream): Promise<EventStream> {
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

  checkType(type: string): void {
    const types = this.options.sinks.types();
    if (!types.includes(type))
      throw invalid("type", `"${type}" is not a known type: use one of ${types.join(", ")}`);
  }

  checkConfig(type: string, config: Record<string, unknown>): void {
    const error = this.options.sinks.validateConfig(type, config, this.options.sinkContext);
    if (error) throw invalid(settingName(error.field), error.message);
  }

  checkEventTypes(eventTypes: string[] | undefined): void {
    eventTypes?.forEach((entry, index) => {
      const problem = eventTypeEntryProblem(entry);
      if (problem) throw invalid(`event_types[${index}]`, problem);
    });
  }

  checkRevision(current: EventStream, ifMatch: number | undefined): void {
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

  replayView(stream: EventStream, replayId: string): ReplayView {
    const replay = stream.replay as Replay;
    const progress = this.options.registry.progressOf(stream.id, replayJob(replayId));
    let found = 0;
    let delivered = 0;
    let done = true;
    let total = 0n;
    let read = 0n;
    for (const [topic, to] of Object.entries(replay.to)) {
      const p = progress.get(topic);
      found += p?.found ?? 0;
      delivered += p?.delivered ?? 0;
      const from = BigInt(replay.from[topic]?.offset ?? "0");
      const end = BigInt(to.offset);
      if (!p?.done && from < end) done = false;
      if (end <= from) continue;
      total += end - from;
      const next = p?.done ? end : BigInt(p?.next ?? from);
      read += (next < from ? from : next > end ? end : next) - from;
    }
    const share = done || total === 0n ? 1 : Number((read * 1000n) / total) / 1000;
    return { replay, found, delivered, failed: found - delivered, done, progress: share };
  }
}
