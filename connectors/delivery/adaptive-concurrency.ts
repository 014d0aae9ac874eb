import { DEFAULT_MAX_IN_FLIGHT_PER_STREAM } from "../../src/settings/connector-settings";

/** What one call told the controller besides its round trip. */
export type CallSignal = "ok" | "throttled" | "timeout" | "failed";

export interface ConcurrencyBounds {
  /** Calls in flight a stream starts with. */
  initial: number;
  /** The most a stream may have in flight (the operator's bound). */
  max: number;
}

export const DEFAULT_CONCURRENCY: ConcurrencyBounds = { initial: 1, max: DEFAULT_MAX_IN_FLIGHT_PER_STREAM };

/** Below this a window is too short to say anything about latency. */
const MIN_WINDOW_MS = 5;
/** Round trips up to this far above the best seen are flat: the limit may grow. */
const FLAT = { ratio: 1.5, plusMs: 2 };
/** Round trips beyond this are a queue at the destination: the limit shrinks. */
const QUEUED = { ratio: 2, plusMs: 10 };
/**
 * How fast the best round trip seen forgets itself, per window (a route may get longer): slowly, or
 * a destination with a queue would become its own new best.
 */
const BEST_DRIFT = 1.0002;
const DECREASE_RATIO = 0.9;

/**
 * How many calls one stream may have in flight, adapted to what its destination sustains, in the
 * manner of TCP's AIMD and Vector's adaptive request concurrency. Calls are looked at in windows of
 * about one round trip, against the best round trip seen (slowly forgotten). A window whose calls
 * all succeeded about as fast as the best, and in which the stream used every call it had, grows the
 * limit: doubling until the first sign of strain (slow start), then by one. A window with
 * throttling or a timeout, or whose round trip is twice the best (a queue at the destination),
 * shrinks it by a tenth (at least by one, never below one). A window counts the calls that
 * started in it, so each says how the limit of its time fared. Plain failures (a 500, a refused connection) say
 * nothing about load; the retry path and the circuit handle them.
 */
export class AdaptiveConcurrency {
  private current: number;
  private slowStart = true;
  private bestMs?: number;
  private window: Window;

  constructor(
    private readonly bounds: ConcurrencyBounds = DEFAULT_CONCURRENCY,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.current = Math.min(bounds.max, Math.max(1, bounds.initial));
    this.window = emptyWindow(this.now());
  }

  get limit(): number {
    return this.current;
  }

  /** A call started with `inFlight` calls (itself included) now in flight. */
  started(inFlight: number): void {
    if (inFlight >= this.current) this.window.reachedLimit = true;
  }

  /**
   * A call ended after `rttMs`. It speaks for the window it started in: one that started earlier
   * was sent at an older limit (and before a decrease, its strain was answered already).
   */
  ended(rttMs: number, signal: CallSignal): void {
    const now = this.now();
    const w = this.window;
    if (now - rttMs < w.startedAt) return;
    if (signal === "throttled" || signal === "timeout") w.strained = true;
    else if (signal === "ok") {
      w.sumMs += rttMs;
      w.calls++;
    } else w.failed = true;
    if (now - w.startedAt >= Math.max(MIN_WINDOW_MS, this.bestMs ?? 0)) this.adjust(now);
  }

  private adjust(now: number): void {
    const w = this.window;
    const mean = w.calls > 0 ? w.sumMs / w.calls : undefined;
    if (mean !== undefined) this.bestMs = Math.min(mean, (this.bestMs ?? mean) * BEST_DRIFT);
    const best = this.bestMs;
    const queued = mean !== undefined && best !== undefined && mean > best * QUEUED.ratio + QUEUED.plusMs;
    if (w.strained || queued) {
      this.slowStart = false;
      this.current = Math.max(1, Math.min(this.current - 1, Math.floor(this.current * DECREASE_RATIO)));
    } else if (
      w.reachedLimit &&
      !w.failed &&
      mean !== undefined &&
      best !== undefined &&
      mean <= best * FLAT.ratio + FLAT.plusMs
    ) {
      this.current = Math.min(this.bounds.max, this.slowStart ? this.current * 2 : this.current + 1);
    }
    this.window = emptyWindow(now);
  }
}

interface Window {
  startedAt: number;
  sumMs: number;
  calls: number;
  reachedLimit: boolean;
  strained: boolean;
  failed: boolean;
}

function emptyWindow(startedAt: number): Window {
  return { startedAt, sumMs: 0, calls: 0, reachedLimit: false, strained: false, failed: false };
}
