import { replayJob, resumeJob } from "../../src/streams/catch-up-progress";
import type { EventStream, TopicOffsets } from "../../src/streams/event-stream";
import type { StreamRegistry } from "../../src/streams/stream-registry";
import { type CatchUpJob, CatchUpTask, type CatchUpTaskOptions } from "./catch-up-task";

export interface CatchUpRunnerOptions extends Omit<CatchUpTaskOptions, "current"> {
  streams: StreamRegistry;
  /** Whether this instance owns a partition of the main consumer group now. */
  owns(topic: string, partition: number): boolean;
  /** Catch-ups this process runs at once at most; the others wait their turn. */
  maxTasks?: number;
}

const DEFAULT_MAX_TASKS = 4;
/** How often ownership and streams are looked at again, besides on every change. */
const EVALUATE_EVERY_MS = 5_000;

/**
 * Runs the catch-ups of active streams: resumed backlogs (see Backlog) and replays (see Replay).
 * Each (job, stream, domain topic) not done yet is run by the instance that owns that partition in
 * the main group, so any instance may run it, and a rebalance moves it with the partition. A
 * catch-up stops when its stream changes (paused again, edited, deleted; a replay cancelled) or its
 * partition moves; its recorded progress tells the next runner where to go on.
 */
export class CatchUpRunner {
  private readonly tasks = new Map<string, CatchUpTask>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: CatchUpRunnerOptions) {}

  start(): void {
    const evaluate = () => this.evaluate();
    this.options.streams.on("change", evaluate);
    this.options.streams.on("catch-up", evaluate);
    this.timer = setInterval(evaluate, EVALUATE_EVERY_MS);
    this.timer.unref();
    this.evaluate();
  }

  /** Catch-ups running now (for the progress log and tests). */
  get running(): number {
    return this.tasks.size;
  }

  evaluate(): void {
    if (this.stopped) return;
    const wanted = new Map<string, CatchUpJob>();
    for (const job of this.jobs()) {
      if (this.options.owns(job.topic, job.partition))
        wanted.set(`${job.job}/${job.stream.id}/${job.topic}`, job);
    }
    for (const [key, task] of this.tasks) {
      if (!wanted.has(key)) {
        this.tasks.delete(key);
        void task.stop();
      }
    }
    const room = (this.options.maxTasks ?? DEFAULT_MAX_TASKS) - this.tasks.size;
    const waiting = [...wanted].filter(([key]) => !this.tasks.has(key));
    for (const [key, job] of waiting.slice(0, Math.max(0, room))) this.run(key, job);
  }

  private run(key: string, job: CatchUpJob): void {
    const { logger } = this.options;
    const task = new CatchUpTask({ ...this.options, current: () => this.currentFor(job) }, job);
    this.tasks.set(key, task);
    logger.info(
      { streamId: job.stream.id, job: job.job, topic: job.topic, from: job.start, to: job.end.toString() },
      "catch-up started",
    );
    void task.finished.then(() => {
      if (this.tasks.get(key) === task) this.tasks.delete(key);
    });
    task.start().catch((error: unknown) => {
      logger.error({ streamId: job.stream.id, job: job.job, err: error }, "catch-up failed; it starts again");
      this.tasks.delete(key);
      void task.stop();
    });
  }

  /** The stream now, while it still wants this job: active, the same resume (or replay, not cancelled). */
  private currentFor(job: CatchUpJob): EventStream | undefined {
    const now = this.options.streams.get(job.stream.id);
    if (now?.status !== "active") return undefined;
    const wanted = job.job.startsWith("replay:")
      ? now.replay !== undefined && replayJob(now.replay.id) === job.job && !now.replay.cancelledAt
      : now.backlog?.resumedRevision !== undefined && resumeJob(now.backlog.resumedRevision) === job.job;
    return wanted ? now : undefined;
  }

  /** Every unfinished catch-up of every active stream: resumed backlogs, then replays. */
  private *jobs(): Generator<CatchUpJob> {
    const { streams } = this.options;
    for (const stream of streams.all()) {
      if (stream.status !== "active") continue;
      const backlog = stream.backlog;
      if (backlog?.to && backlog.resumedRevision !== undefined) {
        yield* this.jobsOf(stream, resumeJob(backlog.resumedRevision), backlog.from, backlog.to);
      }
      const replay = stream.replay;
      if (replay && !replay.cancelledAt) {
        const window = {
          since: Date.parse(replay.since),
          until: replay.until ? Date.parse(replay.until) : null,
        };
        yield* this.jobsOf(stream, replayJob(replay.id), replay.from, replay.to, window);
      }
    }
  }

  private *jobsOf(
    stream: EventStream,
    job: string,
    from: TopicOffsets,
    to: TopicOffsets,
    window?: CatchUpJob["window"],
  ): Generator<CatchUpJob> {
    const progress = this.options.streams.progressOf(stream.id, job);
    for (const [topic, end] of Object.entries(to)) {
      const done = progress.get(topic);
      if (done?.done) continue;
      yield {
        job,
        stream,
        topic,
        partition: end.partition,
        // A topic created while the stream was paused has no `from`: all of it came meanwhile.
        start: done?.next ?? from[topic]?.offset ?? "0",
        end: BigInt(end.offset),
        found: done?.found ?? 0,
        delivered: done?.delivered ?? 0,
        ...(window ? { window } : {}),
      };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([...this.tasks.values()].map((task) => task.stop().then(() => task.finished)));
    this.tasks.clear();
  }
}
