import type { Logger } from "pino";
import type { DomainEvent } from "../../src/events/domain-event";

/**
 * The public sink API. A sink is one self-contained module: a type name, a JSON schema for its
 * destination settings, `verify` (may we deliver there?) and `deliver` (per-event outcomes).
 * Sinks know nothing of Kafka, offsets or retries: the connector owns those and treats every sink
 * alike, the built-in SNS sink included.
 */

/** What a sink sees of an event stream: who it belongs to and its validated destination settings. */
export interface SinkTarget<Config> {
  /** The stream's id; sinks use it for logs, caches and session names. */
  streamId: string;
  projectId: string;
  config: Config;
}

export type DeliveryResult =
  | { outcome: "delivered" }
  | {
      /** Worth trying again later: throttling, 5xx, timeouts, and misconfiguration a customer may fix. */
      outcome: "retryable";
      code: string;
      message: string;
      /** The destination asked us to wait at least this long (Retry-After). */
      retryAfterMs?: number;
      /** The customer's configuration is wrong (AccessDenied, NotFound): retried slowly, shown as such. */
      misconfiguration?: boolean;
      /**
       * The destination asked us to slow down (SNS `Throttled`, SQS `RequestThrottled`, HTTP 429 and
       * 503), or the stream's own rate limit held the event back: not the destination failing. The
       * stream sends fewer requests at once; its circuit does not count it, and it is never
       * dead-lettered for it.
       */
      throttled?: boolean;
    }
  | {
      /** Will never succeed as it is (too large, rejected as invalid): goes to the dead-letter topic. */
      outcome: "permanent";
      code: string;
      message: string;
      /** The destination is gone for good (HTTP 410): the stream should be paused. */
      pauseStream?: boolean;
    };

/** Something a verification found that does not stop deliveries but should be fixed. */
export interface VerifyWarning {
  code: string;
  message: string;
  hint?: string;
}

export type VerifyResult =
  | { ok: true; warnings?: VerifyWarning[] }
  | { ok: false; code: string; message: string; hint?: string };

export interface BatchLimits {
  /**
   * Events per `deliver` call. A sink packs them into its destination's requests within that
   * destination's own byte limits itself (the AWS sinks with one packer, aws/batch/pack-entries).
   */
  maxEvents: number;
  /**
   * Most `deliver` calls of this sink in flight at once, over all streams (default: no limit). The
   * connector then cuts a stream's batch when its call can start rather than when it is queued,
   * so a stream's events gather into fuller batches while they wait for the sink.
   */
  concurrency?: number;
  /**
   * The longest one `deliver` call may take (default DEFAULT_CALL_TIMEOUT_MS). Past it the
   * connector counts the call's events as retryable failures (`SinkTimeout`) and hands them to the
   * retry path, whatever the call does later: a call that never returns cannot hold a partition.
   */
  callTimeoutMs?: number;
}

/** The deadline of a sink's `deliver` call when its limits name none. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** What the connector gives a sink instance: a logger with secrets redacted, and its settings. */
export interface SinkContext {
  logger: Logger;
  env: NodeJS.ProcessEnv;
}

export interface Sink<Config> {
  /**
   * Called by the API before a stream is stored or resumed: reachability and permissions, using a
   * small verification message where the destination allows one.
   */
  verify(target: SinkTarget<Config>): Promise<VerifyResult>;
  /**
   * Delivers a batch (within `limits`) and returns one result per event, in the same order.
   * It must not throw for a destination failure: a failure is a result.
   */
  deliver(target: SinkTarget<Config>, events: readonly DomainEvent[]): Promise<DeliveryResult[]>;
  /**
   * The stream of `target` was changed or deleted: forget what is kept for it (clients,
   * credentials, resolved addresses). Every tenant may come and go, so nothing may stay behind.
   */
  release?(target: SinkTarget<Config>): void;
  /** Entries held now, per cache of the sink's (for gauges and tests): each must stay bounded. */
  cached?(): Record<string, number>;
  close?(): Promise<void>;
}

/** A JSON schema (draft 2020-12 subset understood by ajv) for one sink's destination settings. */
export type JsonSchema = Record<string, unknown>;

export interface SinkDefinition<Config> {
  /** The stream `type` that selects this sink, e.g. `sns`, `https`. */
  type: string;
  description: string;
  /** Validates a stream's destination settings at the edge (API, CLI, config loading). */
  configSchema: JsonSchema;
  /**
   * Checks beyond the schema (e.g. an ARN's parts agree); returns the offending field and why.
   * `context` is the validating process's (the API's): its environment may hold the sink's own
   * settings; without one, a sink applies its strictest defaults.
   */
  validate?(config: Config, context?: SinkContext): { field: string; message: string } | undefined;
  limits: BatchLimits;
  /**
   * Whether the destination keeps a project's events in the order they were delivered (a FIFO
   * topic or queue). A resumed stream's backlog then reaches it before anything newer: the live
   * path holds the stream's newer records until the catch-up hands over (connectors/catch-up/).
   */
  ordered?(config: Config): boolean;
  /** Settings holding secrets we generate (e.g. a webhook signing secret). */
  secrets?: SinkSecrets<Config>;
  /**
   * Settings holding secrets the customer gives (a bearer token; dotted paths for nested ones):
   * like generated ones they are sealed at rest, masked on reads and never logged.
   */
  secretFields?: readonly string[];
  create(context: SinkContext): Sink<Config>;
}

/**
 * Secrets a sink generates for a stream. The API fills them in at creation and shows them in that
 * response only; reads mask them; customers never set them, they rotate them.
 */
export interface SinkSecrets<Config> {
  /** The settings that hold secrets: masked by the API, never to appear in logs or results. */
  fields: readonly string[];
  /** A new stream's config with its secrets added. */
  generate(config: Config): Config;
  /**
   * The config with a new secret (`fresh`'s, made by `generate`, or a new one) in place of the
   * current one; the old one keeps working until `graceUntil` (or stops now if it has passed).
   */
  rotate(config: Config, graceUntil: Date, fresh?: Partial<Config>): Config;
  /** Settings only rotation sets (the old secret's expiry): refused as input like the secrets. */
  managed?: readonly string[];
}

/** Declares a sink. The identity function is there for type inference and discoverability. */
export function defineSink<Config>(definition: SinkDefinition<Config>): SinkDefinition<Config> {
  return definition;
}

export function delivered(): DeliveryResult {
  return { outcome: "delivered" };
}
