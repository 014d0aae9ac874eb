import { appendFile } from "node:fs/promises";
import { join } from "node:path";
// In a project of its own: `import { defineSink, ... } from "live-event-streams"`.
import {
  type DeliveryResult,
  defineSink,
  type Sink,
  type SinkTarget,
  type VerifyResult,
} from "../../apps/package";
import { type DomainEvent, toDeliveredEvent } from "../../src/events/domain-event";

/**
 * The example from docs/sinks.md: appends events as newline-delimited JSON to a file in a folder
 * the operator chooses (env NDJSON_SINK_DIR). Small, but it has everything a real sink has: a
 * config schema, verify, per-event results, permanent vs retryable failures, batch limits.
 */
export interface NdjsonFileConfig {
  /** A file name inside the operator's folder; no paths, so customers cannot write elsewhere. */
  fileName: string;
  /** Events larger than this (as a JSON line) are refused for good. */
  maxLineBytes?: number;
}

export const ndjsonFileSink = defineSink<NdjsonFileConfig>({
  type: "ndjson-file",
  description: "Append events as newline-delimited JSON to a local file (example sink)",
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["fileName"],
    properties: {
      fileName: {
        type: "string",
        pattern: "^[\\w-]{1,64}\\.ndjson$",
        errorMessage: "must be a file name like events.ndjson",
      },
      maxLineBytes: { type: "integer", minimum: 256, maximum: 1048576 },
    },
  },
  limits: { maxEvents: 100 },
  create: (context) => new NdjsonFileSink(context.env.NDJSON_SINK_DIR ?? "."),
});

export class NdjsonFileSink implements Sink<NdjsonFileConfig> {
  constructor(private readonly directory: string) {}

  async verify(target: SinkTarget<NdjsonFileConfig>): Promise<VerifyResult> {
    try {
      await appendFile(this.path(target), "");
      return { ok: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "Error";
      return { ok: false, code, message: `cannot write ${target.config.fileName}: ${code}` };
    }
  }

  async deliver(
    target: SinkTarget<NdjsonFileConfig>,
    events: readonly DomainEvent[],
  ): Promise<DeliveryResult[]> {
    const max = target.config.maxLineBytes ?? 256 * 1024;
    const lines = events.map((event) => `${JSON.stringify(toDeliveredEvent(event))}\n`);
    // Decide each event's fate first, then write the good ones in one append (one system call).
    const results: DeliveryResult[] = lines.map((line, i) =>
      Buffer.byteLength(line) > max
        ? {
            outcome: "permanent",
            code: "LineTooLarge",
            message: `event ${events[i]?.id} is over ${max} bytes`,
          }
        : { outcome: "delivered" },
    );
    const good = lines.filter((_, i) => results[i]?.outcome === "delivered");
    if (good.length === 0) return results;
    try {
      await appendFile(this.path(target), good.join(""));
      return results;
    } catch (error) {
      // A missing folder or a full disk may be fixed: retry later, never throw.
      const code = (error as NodeJS.ErrnoException).code ?? "Error";
      return results.map((r) =>
        r.outcome === "delivered" ? { outcome: "retryable", code, message: `cannot append: ${code}` } : r,
      );
    }
  }

  private path(target: SinkTarget<NdjsonFileConfig>): string {
    return join(this.directory, target.config.fileName);
  }
}
