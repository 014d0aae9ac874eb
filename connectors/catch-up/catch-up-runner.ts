import { replayJob, resumeJob } from "../../src/streams/catch-up-progress";
import type { Backlog, EventStream, TopicOffsets } from "../../src/streams/event-stream";
import type { StreamRegistry } from "../../src/streams/stream-registry";
import { type CatchUpJob, CatchUpTask, type CatchUpTaskOptions } from "./catch-up-task";

export interface CatchUpRunnerOptions extends Omit<CatchUpTaskOptions, "current"> {
  streams: StreamRegistry;
  /** Whether this instance owns a partition of the main consumer group now. */
  owns(topic: string, partition: number): boolean;
  /** Catch-ups this process runs at once at most; the others wait their turn. */
  maxTasks?: number;
  /** Where paused streams' retry records wait (SystemTopics.parked): a backlog's first part. */
  parkedTopic: string;
}

const DEFAULT_MAX_TASKS = 4;
const MAX_TASKS_PER_PROJECT = 2;
const EVALUATE_COALESCE_MS = 50;
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
  /**
   * Streams that may have a catch-up to run: all at start, then those a change touched. A stream
   * found with nothing left leaves the set until its next change, so an evaluation (every batch's
   * progress record causes one) looks at the streams with work, not at every stream.
   */
  private readonly candidates = new Set<string>();
  /**
   * Jobs a task of this process caught up, until the registry shows them done: the done record
   * comes back through the progress topic a moment later, and run again from the progress before
   * it the job would deliver records the live path is already delivering.
   */
  private readonly caughtUp = new Set<string>();
  private timer?: NodeJS.Timeout;
  private pending?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: CatchUpRunnerOptions) {}

  start(): void {
    const soon = () => this.evaluateSoon();
    for (const stream of this.options.streams.all()) this.candidates.add(stream.id);
    this.options.streams.on("change", (id: string) => {
      this.candidates.add(id);
      soon();
    });
    this.options.streams.on("catch-up", soon);
    this.timer = setInterval(soon, EVALUATE_EVERY_MS);
    this.timer.unref();
    this.evaluate();
  }

  /**
   * Looks at streams and ownership again shortly, once for however many changes came meanwhile:
   * every catch-up records its progress after each batch, and each record is a change.
   */
  evaluateSoon(): void {
    if (this.pending || this.stopped) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.evaluate();
    }, EVALUATE_COALESCE_MS);
  }

  private evaluate(): void {
    if (this.stopped) return;
    const wanted = new Map<string, CatchUpJob>();
    for (const job of this.jobs()) {
      const owner = job.owner ?? job;
      if (this.options.owns(owner.topic, owner.partition))
        wanted.set(`${job.job}/${job.stream.id}/${job.topic}`, job);
    }
    for (const key of this.caughtUp) if (!wanted.has(key)) this.caughtUp.delete(key);
    for (const key of this.caughtUp) wanted.delete(key);
    for (const [key, task] of this.tasks) {
      if (!wanted.has(key)) {
        this.tasks.delete(key);
        void task.stop();
      }
    }
    // Slots go to the projects running the fewest catch-ups, and no project holds more than
    // MAX_TASKS_PER_PROJECT: one tenant's many resumed streams cannot keep the others waiting.
    const perProject = new Map<string, number>();
    const count = (projectId: string) => perProject.get(projectId) ?? 0;
    for (const task of this.tasks.values()) perProject.set(task.projectId, count(task.projectId) + 1);
    let room = (this.options.maxTasks ?? DEFAULT_MAX_TASKS) - this.tasks.size;
    const waiting = [...wanted].filter(([key]) => !this.tasks.has(key));
    while (room > 0) {
      const next = waiting
        .filter(([, job]) => count(job.stream.projectId) < MAX_TASKS_PER_PROJECT)
        .sort(([, a], [, b]) => count(a.stream.projectId) - count(b.stream.projectId))[0];
      if (!next) break;
      waiting.splice(waiting.indexOf(next), 1);
      const [key, job] = next;
      perProject.set(job.stream.projectId, count(job.stream.projectId) + 1);
      this.run(key, job);
      room--;
    }
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
      if (task.caughtUp) this.caughtUp.add(key);
      if (this.tasks.get(key) === task) this.tasks.delete(key);
      this.evaluateSoon();
    });
    task.start().catch((error: unknown) => {
      // It starts again once this one has finished: never two of one job delivering at once.
      logger.error({ streamId: job.stream.id, job: job.job, err: error }, "catch-up failed; it starts again");
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

  /** Every unfinished catch-up of the candidate streams: resumed backlogs, then replays. */
  private *jobs(): Generator<CatchUpJob> {
    for (const id of this.candidates) {
      const jobs = [...this.jobsOfStream(id)];
      if (jobs.length === 0) this.candidates.delete(id);
      yield* jobs;
    }
  }

  private *jobsOfStream(id: string): Generator<CatchUpJob> {
    const stream = this.options.streams.get(id);
    if (stream?.status !== "active") return;
    const backlog = stream.backlog;
    if (backlog?.to && backlog.resumedRevision !== undefined) {
      yield* this.resumeJobs(stream, backlog as Required<Pick<Backlog, "to" | "resumedRevision">> & Backlog);
    }
    const replay = stream.replay;
    if (replay && !replay.cancelledAt) {
      const window = {
        since: Date.parse(replay.since),
        until: replay.until ? Date.parse(replay.until) : null,
      };
      yield* this.jobsOf(stream, replayJob(replay.id), replay.from, replay.to, { window, rate: replay.rate });
    }
  }

  /**
   * A resumed stream's catch-ups: first its parked retry records (older than anything in the
   * domain topics), run by the owner of its first domain topic's partition; then, once that one
   * has read to where it stood at resume, one per domain topic.
   */
  private *resumeJobs(
    stream: EventStream,
    backlog: Backlog & Required<Pick<Backlog, "to" | "resumedRevision">>,
  ): Generator<CatchUpJob> {
    const job = resumeJob(backlog.resumedRevision);
    const { parkedTopic } = this.options;
    const { [parkedTopic]: parkedEnd, ...domain } = backlog.to;
    const owner = Object.entries(domain)[0];
    if (parkedEnd && owner) {
      const parked = [
        ...this.jobsOf(stream, job, backlog.from, { [parkedTopic]: parkedEnd }, { parked: true }),
      ];
      for (const p of parked) yield { ...p, owner: { topic: owner[0], partition: owner[1].partition } };
      const waiting = parked.some((p) => BigInt(p.start) < p.end);
      if (waiting) return;
    }
    yield* this.jobsOf(stream, job, backlog.from, domain, { inOrder: backlog.inOrder === true });
  }

  private *jobsOf(
    stream: EventStream,
    job: string,
    from: TopicOffsets,
    to: TopicOffsets,
    kind: Pick<CatchUpJob, "window" | "rate" | "inOrder" | "parked">,
  ): Generator<CatchUpJob> {
    const progress = this.options.streams.progressOf(stream.id, job);
    for (const [topic, end] of Object.entries(to)) {
      const done = progress.get(topic);
      // Done, unless this process's live path left records past it to the job (see Handovers).
      if (done?.done && !this.options.handovers.leftPast(stream.id, topic, job, done.next)) continue;
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
        ...kind,
      };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.pending);
    await Promise.all([...this.tasks.values()].map((task) => task.stop().then(() => task.finished)));
    this.tasks.clear();
  }
}
