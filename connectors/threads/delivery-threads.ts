import * as path from "node:path";
import type { EventLoopUtilization } from "node:perf_hooks";
import type { HeapInfo } from "node:v8";
import type { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import type { DomainEvent } from "../../src/events/domain-event";
import type { SinkModule } from "../../src/settings/connector-settings";
import { logSettings } from "../../src/settings/logging-settings";
import { startWorker } from "../../src/util/worker";
import { type HeapReading, heapReading, registerHeapMetrics } from "../metrics/heap-metrics";
import type { DeliveryResult, SinkTarget } from "../sinks";
import {
  type CallAnswer,
  type DeliveryRequest,
  Outbox,
  type ReleaseRequest,
  type ThreadReady,
} from "./delivery-messages";
import type { SinkCalls } from "./sink-calls";

export interface DeliveryThreadsOptions {
  threads: number;
  sinks: SinkModule;
  /** Each thread's environment, which its sinks read their settings from. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

/** How long a thread's sinks may take to close before the thread is stopped anyway. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Sink calls on worker threads. A connector's event loop can make about a thousand SDK calls a
 * second (each ~1 ms of CPU); with one event per call, typical of many quiet tenants, that is its
 * ceiling. Here the event loop keeps the Kafka work and the decisions (batches, lanes, circuits,
 * retries, commits) and the threads make the calls, each with sink instances of its own.
 *
 * A stream's calls always go to the same thread, chosen by its id, so the caches its sink keeps
 * (assumed-role credentials, clients) stay warm in one place. A thread that dies fails its calls in
 * flight (they go to the retry path, as a throwing sink's would) and is started again.
 */
export class DeliveryThreads implements SinkCalls {
  private readonly threads: DeliveryThread[];

  private constructor(options: DeliveryThreadsOptions) {
    this.threads = Array.from({ length: options.threads }, (_, i) => new DeliveryThread(i, options));
  }

  /** Starts the threads; rejects, with the reason, if one cannot load the sinks. */
  static async start(options: DeliveryThreadsOptions): Promise<DeliveryThreads> {
    if (options.threads < 1) throw new Error(`delivery threads must be at least 1, got ${options.threads}`);
    const pool = new DeliveryThreads(options);
    try {
      await Promise.all(pool.threads.map((thread) => thread.ready));
    } catch (error) {
      await pool.close();
      throw error;
    }
    options.logger.info({ threads: options.threads, sinks: options.sinks.path }, "delivery threads started");
    return pool;
  }

  deliver(
    type: string,
    target: SinkTarget<unknown>,
    events: readonly DomainEvent[],
  ): Promise<DeliveryResult[]> {
    const thread = this.threads[threadIndex(target.streamId, this.threads.length)] as DeliveryThread;
    return thread.call(type, target, events);
  }

  release(type: string, target: SinkTarget<unknown>): void {
    (this.threads[threadIndex(target.streamId, this.threads.length)] as DeliveryThread).release(type, target);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.close()));
  }

  /** Per thread, the share of time its event loop was busy since the last reading, 0 to 1. */
  utilization(): number[] {
    return this.threads.map((thread) => thread.utilization());
  }

  /**
   * `eventstreams_delivery_thread_utilization{thread}`: busy threads mean it is time to add cores
   * or instances; and the heap of each thread and of the event loop (registerHeapMetrics).
   */
  registerMetrics(registry: Registry): void {
    const threads = this;
    new Gauge({
      name: "eventstreams_delivery_thread_utilization",
      help: "Share of time each delivery thread's event loop was busy since the last scrape (0-1)",
      labelNames: ["thread"],
      registers: [registry],
      collect() {
        for (const [i, busy] of threads.utilization().entries()) this.set({ thread: String(i) }, busy);
      },
    });
    registerHeapMetrics(registry, this.threads);
  }
}

interface Call {
  resolve(results: DeliveryResult[]): void;
  reject(error: Error): void;
}

class DeliveryThread {
  private worker!: Worker;
  private readonly calls = new Map<number, Call>();
  private readonly outbox = new Outbox<DeliveryRequest>((requests) => this.post(requests));
  private lastId = 0;
  private closing = false;
  private running = false;
  /** Set when a worker could not load the sinks: calls fail with it rather than start another. */
  private broken?: Error;
  private lastReading?: EventLoopUtilization;
  /** Settles once the current worker has loaded its sinks. */
  ready!: Promise<void>;

  constructor(
    private readonly index: number,
    private readonly options: DeliveryThreadsOptions,
  ) {
    this.spawn();
  }

  call(type: string, target: SinkTarget<unknown>, events: readonly DomainEvent[]): Promise<DeliveryResult[]> {
    if (this.broken) return Promise.reject(this.broken);
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.outbox.add({ id, type, target, events });
    });
  }

  release(type: string, target: SinkTarget<unknown>): void {
    if (this.running) this.worker.postMessage({ release: { type, target } } satisfies ReleaseRequest);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (!this.running) return;
    const exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.outbox.flush();
    this.worker.postMessage("close");
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** The thread's V8 heap, or undefined while it is not running. */
  async heap(): Promise<HeapReading | undefined> {
    if (!this.running) return undefined;
    // Node 24's Worker#getHeapStatistics; the young generation is not told apart there.
    const stats = await (this.worker as Worker & { getHeapStatistics(): Promise<HeapInfo> })
      .getHeapStatistics()
      .catch(() => undefined);
    return stats && heapReading(stats);
  }

  utilization(): number {
    if (!this.running) return 0;
    const now = this.worker.performance.eventLoopUtilization();
    const since = this.lastReading
      ? this.worker.performance.eventLoopUtilization(now, this.lastReading)
      : now;
    this.lastReading = now;
    return since.utilization;
  }

  private spawn(): void {
    const worker = startThread(this.options.sinks, this.options.env);
    this.worker = worker;
    this.lastReading = undefined;
    // It never keeps a process alive by itself: the connector closes it when it stops.
    worker.unref();
    this.running = true;
    let loaded = false;
    let lastError: Error | undefined;
    this.ready = new Promise((resolve, reject) => {
      worker.on("message", (message: ThreadReady | CallAnswer[]) => {
        if (Array.isArray(message)) for (const answer of message) this.settle(answer);
        else {
          loaded = true;
          resolve();
        }
      });
      worker.on("error", (error) => {
        lastError = error;
        reject(new Error(`delivery thread ${this.index} could not load the sinks: ${error.message}`));
      });
      worker.once("exit", (code) => this.exited(code, loaded, lastError));
    });
    this.ready.catch(() => {}); // observed by DeliveryThreads.start
  }

  private post(requests: DeliveryRequest[]): void {
    try {
      this.worker.postMessage(requests);
    } catch (error) {
      // Not cloneable: only these calls fail.
      for (const { id } of requests) this.settle({ id, error: (error as Error).message });
    }
  }

  private settle(message: CallAnswer): void {
    const call = this.calls.get(message.id);
    if (!call) return;
    this.calls.delete(message.id);
    if ("results" in message) call.resolve(message.results);
    else call.reject(new Error(message.error));
  }

  private exited(code: number, loaded: boolean, error: Error | undefined): void {
    this.running = false;
    const reason = `delivery thread ${this.index} stopped (exit code ${code})${error ? `: ${error.message}` : ""}`;
    for (const call of this.calls.values()) call.reject(new Error(reason));
    this.calls.clear();
    // Requests of those calls not posted yet must not reach the next worker: they were answered.
    this.outbox.discard();
    if (this.closing) return;
    if (!loaded) {
      // Loading failed: another worker would fail the same way.
      this.broken = new Error(reason);
      return;
    }
    this.options.logger.error(
      { thread: this.index, code, error: error?.message },
      "delivery thread stopped; starting it again",
    );
    this.spawn();
  }
}

function startThread(sinks: SinkModule, env: NodeJS.ProcessEnv): Worker {
  return startWorker(path.join(__dirname, `delivery-thread${path.extname(__filename)}`), {
    workerData: { sinks },
    // The thread's logs look like the process's: pretty in a terminal, JSON otherwise.
    env: {
      ...env,
      LOG_PRETTY: String(logSettings(env).pretty ?? process.stdout.isTTY === true),
    },
  });
}

/** The same thread for a stream every time (a string hash of its id). */
function threadIndex(streamId: string, threads: number): number {
  let hash = 0;
  for (let i = 0; i < streamId.length; i++) hash = (Math.imul(hash, 31) + streamId.charCodeAt(i)) | 0;
  return (hash >>> 0) % threads;
}
