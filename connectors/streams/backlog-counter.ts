import type { Logger } from "pino";
import { type CatchUpProgress, heldJob } from "../../src/streams/catch-up-progress";
import type { EventStream } from "../../src/streams/event-stream";
import { errorMessage } from "../../src/util/error-message";

/** How often the counts that changed are recorded. */
export const HELD_RECORD_EVERY_MS = 10_000;

interface HeldCount {
  streamId: string;
  topic: string;
  job: string;
  count: number;
  /** The next offset to count: a record read again (after a rebalance or a retry) counts once. */
  next: bigint;
  oldestAt?: number;
  changed: boolean;
}

export interface BacklogCounterOptions {
  /** The stream's recorded progress records of a job (the registry's), to go on from. */
  progressOf(streamId: string, job: string): ReadonlyMap<string, CatchUpProgress>;
  get(streamId: string): EventStream | undefined;
  record(progress: CatchUpProgress): Promise<void>;
  logger: Logger;
}

/**
 * Counts the events a paused stream keeps while it is paused, as the live path reads them (it owns
 * the project's partition of each topic): how many, and when the oldest was written. Recorded in the
 * config topic (a `held@<pausedAt>` progress record per topic) every HELD_RECORD_EVERY_MS, so the
 * API shows them and an instance that takes a partition over counts on. Events the live path read
 * before it saw the pause were delivered then; they are not counted.
 */
export class BacklogCounter {
  private readonly counts = new Map<string, HeldCount>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: BacklogCounterOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.recordChanged(), HELD_RECORD_EVERY_MS);
    this.timer.unref();
  }

  /** The live path read an event a paused stream takes (its project's, its filter's). */
  held(stream: EventStream, topic: string, partition: number, offset: bigint, writtenAt: number): void {
    const from = stream.backlog?.from[topic];
    if (stream.pausedAt === null || !from || from.partition !== partition || offset < BigInt(from.offset))
      return;
    const job = heldJob(stream.pausedAt);
    const key = `${stream.id}\n${topic}`;
    let held = this.counts.get(key);
    if (held?.job !== job) {
      const recorded = this.options.progressOf(stream.id, job).get(topic);
      held = {
        streamId: stream.id,
        topic,
        job,
        count: recorded?.found ?? 0,
        next: BigInt(recorded?.next ?? from.offset),
        ...(recorded?.oldestAt !== undefined ? { oldestAt: recorded.oldestAt } : {}),
        changed: false,
      };
      this.counts.set(key, held);
    }
    if (offset < held.next) return;
    held.count++;
    held.next = offset + 1n;
    held.oldestAt ??= writtenAt;
    held.changed = true;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.recordChanged();
  }

  /** Records the counts that changed; forgets those of streams no longer paused by that pause. */
  private async recordChanged(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const [key, held] of this.counts) {
      const stream = this.options.get(held.streamId);
      if (stream?.status !== "paused" || stream.pausedAt === null || heldJob(stream.pausedAt) !== held.job) {
        this.counts.delete(key);
        continue;
      }
      if (!held.changed) continue;
      held.changed = false;
      const progress: CatchUpProgress = {
        streamId: held.streamId,
        topic: held.topic,
        job: held.job,
        next: held.next.toString(),
        found: held.count,
        delivered: 0,
        done: false,
        at: new Date().toISOString(),
        ...(held.oldestAt !== undefined ? { oldestAt: held.oldestAt } : {}),
      };
      writes.push(
        this.options.record(progress).catch((error: unknown) => {
          held.changed = true; // written with the next round
          this.options.logger.warn(
            { streamId: held.streamId, topic: held.topic, error: errorMessage(error) },
            "could not record a paused stream's count",
          );
        }),
      );
    }
    await Promise.all(writes);
  }
}
