import { EventEmitter } from "node:events";
import type { BreakerSettings } from "../../src/settings/connector-settings";

export type StreamHealth =
  | { status: "healthy"; at: string }
  | {
      status: "failing" | "circuit-open";
      /** When the current run of failures began. */
      since: string;
      consecutiveFailures: number;
      lastError: { code: string; message: string; at: string; misconfiguration: boolean };
      at: string;
    };

interface State {
  failures: number;
  since: number;
  open: boolean;
  lastProbeAt: number;
  probing: boolean;
  lastError: { code: string; message: string; at: number; misconfiguration: boolean };
  autoPaused: boolean;
}

export type Admission = "closed" | "probe" | "open";

/**
 * One circuit per stream, shared by the main path and the retry tiers of a connector process, so
 * a destination that is down sees only the probes. Emits "change" (streamId, health) when a
 * stream's status changes and "auto-pause" (streamId, reason) once a failing run gets too long.
 */
export class CircuitBreakers extends EventEmitter {
  private readonly states = new Map<string, State>();

  constructor(
    readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /** Streams whose circuit is open now (a gauge for operators). */
  get openCount(): number {
    let n = 0;
    for (const s of this.states.values()) if (s.open) n++;
    return n;
  }

  /** Whether a delivery to the stream may call the destination now. */
  admit(streamId: string): Admission {
    const s = this.states.get(streamId);
    if (!s?.open) return "closed";
    if (s.probing || this.now() - s.lastProbeAt < this.settings.probeIntervalMs) return "open";
    s.probing = true;
    s.lastProbeAt = this.now();
    return "probe";
  }

  /** Open, whether or not a probe is due (for sizing hand-offs; admit() decides the calls). */
  isOpen(streamId: string): boolean {
    return this.states.get(streamId)?.open === true;
  }

  /** The last error of an open circuit, to record on the deliveries it short-circuits. */
  lastError(streamId: string): State["lastError"] | undefined {
    return this.states.get(streamId)?.lastError;
  }

  succeeded(streamId: string): void {
    const s = this.states.get(streamId);
    if (!s) return;
    this.states.delete(streamId);
    this.emit("change", streamId, this.health(streamId));
  }

  failed(streamId: string, error: { code: string; message: string; misconfiguration?: boolean }): void {
    const now = this.now();
    let s = this.states.get(streamId);
    const lastError = { ...error, misconfiguration: error.misconfiguration === true, at: now };
    if (!s) {
      s = {
        failures: 0,
        since: now,
        open: false,
        lastProbeAt: 0,
        probing: false,
        lastError,
        autoPaused: false,
      };
      this.states.set(streamId, s);
    }
    const first = s.failures === 0;
    s.failures++;
    s.lastError = lastError;
    s.probing = false;
    if (first) this.emit("change", streamId, this.health(streamId));
    if (!s.open && s.failures >= this.settings.threshold) {
      s.open = true;
      s.lastProbeAt = now;
      this.emit("change", streamId, this.health(streamId));
    }
    const { autoPauseAfterMs } = this.settings;
    if (autoPauseAfterMs > 0 && !s.autoPaused && now - s.since >= autoPauseAfterMs) {
      s.autoPaused = true;
      this.emit(
        "auto-pause",
        streamId,
        `failing since ${new Date(s.since).toISOString()} without a successful delivery (${s.failures} failures, last: ${error.code})`,
      );
    }
  }

  /** A probe that ended without a result from the destination (e.g. the stream went away). */
  probeAbandoned(streamId: string): void {
    const s = this.states.get(streamId);
    if (s) s.probing = false;
  }

  health(streamId: string): StreamHealth {
    const s = this.states.get(streamId);
    const at = new Date(this.now()).toISOString();
    if (!s) return { status: "healthy", at };
    return {
      status: s.open ? "circuit-open" : "failing",
      since: new Date(s.since).toISOString(),
      consecutiveFailures: s.failures,
      lastError: { ...s.lastError, at: new Date(s.lastError.at).toISOString() },
      at,
    };
  }

  forget(streamId: string): void {
    this.states.delete(streamId);
  }
}
