import type { EventStream } from "../../src/streams/event-stream";
import type { StreamRegistry } from "../../src/streams/stream-registry";
import { CatchUpTask, type CatchUpTaskOptions } from "./catch-up-task";

export interface CatchUpRunnerOptions extends Omit<CatchUpTaskOptions, "isCurrent"> {
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
 * Runs the catch-ups of resumed streams (see Backlog): each (stream, domain topic) whose backlog is
 * not delivered yet is run by the instance that owns that partition in the main group, so any
 * instance may run it, and a rebalance moves it with the partition. A catch-up stops when its
 * stream changes (paused again, edited, deleted) or its partition moves; its recorded progress
 * tells the next runner where to go on.
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
    const wanted = new Map<
      string,
      { stream: EventStream; topic: string; partition: number; start: string; end: bigint; delivered: number }
    >();
    for (const stream of this.streamsCatchingUp()) {
      const progress = this.options.streams.catchUpOf(stream.id);
      for (const [topic, to] of Object.entries(stream.backlog?.to ?? {})) {
        const done = progress.get(topic);
        if (done?.done || !this.options.owns(topic, to.partition)) continue;
        const start = done?.next ?? stream.backlog?.from[topic]?.offset ?? to.offset;
        wanted.set(`${stream.id}/${stream.revision}/${topic}`, {
          stream,
          topic,
          partition: to.partition,
          start,
          end: BigInt(to.offset),
          delivered: done?.delivered ?? 0,
        });
      }
    }
    for (const [key, task] of this.tasks) {
      if (!wanted.has(key)) {
        this.tasks.delete(key);
        void task.stop();
      }
    }
    const room = (this.options.maxTasks ?? DEFAULT_MAX_TASKS) - this.tasks.size;
    for (const [key, want] of [...wanted]
      .filter(([key]) => !this.tasks.has(key))
      .slice(0, Math.max(0, room))) {
      const { stream } = want;
      const task = new CatchUpTask(
        {
          ...this.options,
          isCurrent: () => {
            const now = this.options.streams.get(stream.id);
            return now?.revision === stream.revision && now.status === "active";
          },
        },
        stream,
        want.topic,
        want.partition,
        want.start,
        want.end,
        want.delivered,
      );
      this.tasks.set(key, task);
      this.options.logger.info(
        { streamId: stream.id, topic: want.topic, from: want.start, to: want.end.toString() },
        "catch-up started",
      );
      void task.finished.then(() => {
        if (this.tasks.get(key) === task) this.tasks.delete(key);
      });
      task.start().catch((error: unknown) => {
        this.options.logger.error(
          { streamId: stream.id, topic: want.topic, err: error },
          "catch-up failed; it starts again",
        );
        this.tasks.delete(key);
        void task.stop();
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([...this.tasks.values()].map((task) => task.stop().then(() => task.finished)));
    this.tasks.clear();
  }

  /** Active streams with a backlog boundary: the only ones a catch-up can be for. */
  private *streamsCatchingUp(): Generator<EventStream> {
    for (const stream of this.options.streams.all()) {
      if (stream.status === "active" && stream.backlog?.to) yield stream;
    }
  }
}
