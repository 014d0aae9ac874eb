import type { Logger } from "pino";
import type { DomainEvent } from "../../src/events/domain-event";
import { SecretOpenError } from "../../src/secrets/envelope";
import type { EventStream } from "../../src/streams/event-stream";
import { errorMessage } from "../../src/util/error-message";
import type { ConnectorMetrics } from "../metrics/metrics";
import type { DeliveryResult } from "../sinks";
import type { SinkCalls } from "../threads/sink-calls";
import type { CircuitBreakers } from "./circuit-breaker";
import type { StreamRateLimits } from "./stream-rate-limits";

export type FailedResult = Exclude<DeliveryResult, { outcome: "delivered" }>;

const streamGone: FailedResult = {
  outcome: "retryable",
  code: "StreamDeleted",
  message: "the stream was deleted while its delivery was under way",
};

export interface GuardedDeliveryOptions {
  /** Where the sinks' calls run (this thread or delivery threads). */
  calls: SinkCalls;
  breakers: CircuitBreakers;
  metrics: ConnectorMetrics;
  logger: Logger;
  /** A sink said the destination is gone for good (HTTP 410): the stream is paused with the reason. */
  pauseStream(stream: EventStream, reason: string): void;
  /**
   * Whether the stream still exists. A call that ends after its stream was deleted must not leave
   * a circuit behind for it: nothing would ever close it again.
   */
  isCurrent?(streamId: string): boolean;
  /** The deadline of one call of a sink type (BatchLimits.callTimeoutMs); none without it. */
  callTimeoutMs?(sinkType: string): number;
  /** The stream's destination settings with their secrets opened (OpenedConfigs); as stored without it. */
  configOf?(stream: EventStream): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** The streams' rate limits: what is over a stream's is not sent (RateLimited, throttled). */
  rateLimits?: StreamRateLimits;
}

/**
 * Every call to a destination, from the main path, the retry tiers and the catch-ups, goes through
 * here: the stream's rate limit takes what it allows, the stream's circuit breaker decides whether the destination is called at all (an open circuit lets
 * one probe event through per interval; the rest fail at once with CircuitOpen), the outcome feeds
 * the breaker, and a `pauseStream` result pauses the stream.
 */
export class GuardedDelivery {
  constructor(private readonly options: GuardedDeliveryOptions) {}

  /** Whether deliveries to the stream are being short-circuited (its circuit is open). */
  isOpen(streamId: string): boolean {
    return this.options.breakers.isOpen(streamId);
  }

  async deliver(stream: EventStream, events: readonly DomainEvent[]): Promise<DeliveryResult[]> {
    const allowed = this.options.rateLimits?.take(stream, events.length) ?? events.length;
    if (allowed === events.length) return this.admitted(stream, events);
    const results = allowed > 0 ? await this.admitted(stream, events.slice(0, allowed)) : [];
    const rate = stream.rateLimit ?? 0;
    const limited: FailedResult = {
      outcome: "retryable",
      code: "RateLimited",
      message: `over the stream's rate limit of ${rate} events a second`,
      throttled: true,
      retryAfterMs: this.options.rateLimits?.waitMs(stream, events.length - allowed) ?? 1_000,
    };
    this.options.metrics.throttled.inc({ sink: stream.type }, events.length - allowed);
    return [...results, ...events.slice(allowed).map(() => limited)];
  }

  /** Within the stream's rate limit: through its circuit breaker to the sink. */
  private async admitted(stream: EventStream, events: readonly DomainEvent[]): Promise<DeliveryResult[]> {
    const { breakers, metrics } = this.options;
    const admission = breakers.admit(stream.id);
    const sent = admission === "closed" ? events : admission === "probe" ? events.slice(0, 1) : [];
    const results: DeliveryResult[] = sent.length > 0 ? await this.callSink(stream, sent) : [];
    if (this.options.isCurrent?.(stream.id) === false) {
      for (const result of results) metrics.deliveries.inc({ sink: stream.type, outcome: result.outcome });
      breakers.forget(stream.id);
      return [...results, ...events.slice(sent.length).map(() => streamGone)];
    }
    let anyDelivered = false;
    results.forEach((result) => {
      metrics.deliveries.inc({ sink: stream.type, outcome: result.outcome });
      if (result.outcome === "delivered") anyDelivered = true;
      // Asked to slow down: the destination is busy, not failing.
      else if (result.outcome === "retryable" && result.throttled)
        metrics.throttled.inc({ sink: stream.type });
      // A permanent result is about the event (too large), not the destination's health.
      else if (result.outcome === "retryable") breakers.failed(stream.id, result);
      else if (result.pauseStream) this.options.pauseStream(stream, `${result.code}: ${result.message}`);
    });
    if (anyDelivered) breakers.succeeded(stream.id);
    if (admission === "probe" && results.every((r) => r.outcome === "permanent"))
      breakers.probeAbandoned(stream.id);
    if (sent.length === events.length) return results;
    const last = breakers.lastError(stream.id);
    const shortCircuited: FailedResult = {
      outcome: "retryable",
      code: "CircuitOpen",
      message: `circuit open, the destination was not called; last error ${last?.code ?? "?"}: ${last?.message ?? "?"}`,
      misconfiguration: last?.misconfiguration,
    };
    metrics.circuitShortCircuited.inc({ sink: stream.type }, events.length - sent.length);
    return [...results, ...events.slice(sent.length).map(() => shortCircuited)];
  }

  /** The call's results, or SinkTimeout for every event once its deadline passed (the call ends alone). */
  private withDeadline(
    sinkType: string,
    call: Promise<DeliveryResult[]>,
    events: number,
  ): Promise<DeliveryResult[]> {
    const deadlineMs = this.options.callTimeoutMs?.(sinkType);
    if (deadlineMs === undefined) return call;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<DeliveryResult[]>((resolve) => {
      timer = setTimeout(() => {
        this.options.logger.warn(
          { sink: sinkType, deadlineMs },
          "a sink call passed its deadline; its events go the retry path",
        );
        const result: DeliveryResult = {
          outcome: "retryable",
          code: "SinkTimeout",
          message: `the sink's call did not end within ${deadlineMs} ms`,
        };
        resolve(Array.from({ length: events }, () => result));
      }, deadlineMs);
    });
    call.catch(() => undefined); // a call that fails after its deadline has nobody left to tell
    return Promise.race([call, timedOut]).finally(() => clearTimeout(timer));
  }

  private async callSink(stream: EventStream, events: readonly DomainEvent[]): Promise<DeliveryResult[]> {
    const { calls, metrics } = this.options;
    const started = performance.now();
    let config: Record<string, unknown>;
    try {
      config = await (this.options.configOf?.(stream) ?? stream.config);
    } catch (error) {
      // Never delivered without its secrets (unsigned): the events wait on the retry path.
      const undecryptable = error instanceof SecretOpenError;
      this.options.logger.error(
        { streamId: stream.id, projectId: stream.projectId, error: errorMessage(error) },
        undecryptable
          ? "a stream's secrets do not decrypt: not delivered"
          : "a stream's secrets could not be opened",
      );
      const result: FailedResult = {
        outcome: "retryable",
        code: undecryptable ? "SecretUndecryptable" : "SecretsUnavailable",
        message: errorMessage(error),
        ...(undecryptable ? { misconfiguration: true } : {}),
      };
      return events.map(() => result);
    }
    const target = { streamId: stream.id, projectId: stream.projectId, config };
    const results = await this.withDeadline(
      stream.type,
      calls.deliver(stream.type, target, events),
      events.length,
    ).catch((error: unknown): DeliveryResult[] =>
      // A sink must report failures as results; if one throws anyway (or its thread dies), nothing is lost.
      events.map(() => ({
        outcome: "retryable",
        code: "SinkError",
        message: errorMessage(error),
      })),
    );
    metrics.deliveryDuration.observe({ sink: stream.type }, (performance.now() - started) / 1000);
    return events.map(
      (_, i) =>
        results[i] ?? { outcome: "retryable", code: "MissingResult", message: "the sink returned no result" },
    );
  }
}
