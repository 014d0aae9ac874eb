import type { EventPublisher } from "../../producers/publisher";
import type { Domain } from "../../src/events/domain-event";
import { errorMessage } from "../../src/util/error-message";
import { delay } from "../../src/util/wait-for";
import { EventMix } from "./event-mix";

export interface SimulationOptions {
  domains: readonly Domain[];
  /** Events per second, spread evenly. */
  rate: number;
  projects: number;
  /** Use these projects instead of `projects` random ones. */
  projectIds?: readonly string[];
  /** Stops generating (what is in flight still completes). */
  signal?: AbortSignal;
  /** Stop after this long... */
  durationMs?: number;
  /** ...or after this many events, whichever comes first. */
  count?: number;
  onProgress?: (progress: SimulationProgress) => void;
  progressEveryMs?: number;
}

export interface SimulationProgress {
  generated: number;
  acknowledged: number;
  failed: number;
  elapsedMs: number;
  /** Acknowledged events per second since the start. */
  rate: number;
  lastError?: string;
}

const TICK_MS = 20;

/**
 * Simulated product services: publishes the event mix at a steady rate in small batches every
 * tick. It stops generating while too much is unacknowledged, so a slow broker shows up as a lower
 * rate rather than as unbounded memory.
 */
export async function runSimulation(
  publisher: EventPublisher,
  options: SimulationOptions,
): Promise<SimulationProgress> {
  const mix = new EventMix(options.domains, options.projects, options.projectIds);
  const limit = options.count ?? Number.POSITIVE_INFINITY;
  const maxOutstanding = Math.max(10_000, options.rate * 5);
  const started = Date.now();
  const progress: SimulationProgress = { generated: 0, acknowledged: 0, failed: 0, elapsedMs: 0, rate: 0 };
  const inFlight = new Set<Promise<void>>();
  let lastReport = started;

  const measure = () => {
    progress.elapsedMs = Date.now() - started;
    progress.rate = progress.acknowledged / Math.max(progress.elapsedMs / 1000, 0.001);
  };

  for (;;) {
    const elapsed = Date.now() - started;
    if (progress.generated >= limit || (options.durationMs !== undefined && elapsed >= options.durationMs))
      break;
    if (options.signal?.aborted) break;
    const due = Math.min(limit, Math.floor((options.rate * elapsed) / 1000) + 1);
    const room = maxOutstanding - (progress.generated - progress.acknowledged - progress.failed);
    const n = Math.min(due - progress.generated, room);
    if (n > 0) {
      const batch = Array.from({ length: n }, () => mix.next());
      progress.generated += n;
      const sent: Promise<void> = publisher
        .publishMany(batch as Parameters<EventPublisher["publishMany"]>[0])
        .then(
          () => {
            progress.acknowledged += n;
          },
          (error: unknown) => {
            progress.failed += n;
            progress.lastError = errorMessage(error);
          },
        )
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    }
    if (Date.now() - lastReport >= (options.progressEveryMs ?? 1_000)) {
      lastReport = Date.now();
      measure();
      options.onProgress?.({ ...progress });
    }
    await delay(TICK_MS);
  }
  await Promise.all(inFlight);
  measure();
  return { ...progress };
}
