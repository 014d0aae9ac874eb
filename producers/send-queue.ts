import type { Message, TopicMessages } from "kafkajs";

/** The publisher's defaults. */
export const DEFAULT_MAX_BATCH_EVENTS = 10_000;
export const DEFAULT_MAX_BATCH_BYTES = 900 * 1024;

export interface SendQueueOptions {
  /** Most records in one produce request. */
  maxBatchEvents: number;
  /**
   * Most value+key bytes per topic in one produce request. The broker caps one partition's record
   * batch (1 MiB by default); a topic's share of a request is the most one partition can get, when
   * a single hot project sends everything.
   */
  maxBatchBytes: number;
  /** How long a lone record waits for company before it is sent. */
  lingerMs: number;
}

/** One caller's promise: resolves with `result` once all its records are acknowledged. */
interface Ticket {
  remaining: number;
  settled: boolean;
  result: unknown;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

interface Pending {
  topic: string;
  message: Message;
  bytes: number;
  ticket: Ticket;
}

/**
 * Batches records into produce requests with one request in flight at a time: kafkajs's idempotent
 * producer assigns sequence numbers per request, and concurrent requests to one partition could
 * reorder a project's events. What arrives while a request is in flight forms the next batch, so
 * batches grow with load and a lone record still leaves after `lingerMs`.
 */
export class SendQueue {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private inFlight = false;
  private draining = false;
  private timer: NodeJS.Timeout | undefined;
  private idle: Array<() => void> = [];

  constructor(
    /** Sends one produce request; `bytes` is its size as `sizeOf` counts it. */
    private readonly send: (batch: TopicMessages[], bytes: number) => Promise<void>,
    private readonly options: SendQueueOptions,
  ) {}

  /**
   * Resolves with `result` when every record was acknowledged; rejects if any of them failed.
   * Handing the caller's result through saves publish() a second promise per event.
   */
  enqueue<T = void>(records: Array<{ topic: string; message: Message }>, result?: T): Promise<T> {
    if (records.length === 0) return Promise.resolve(result as T);
    return new Promise<T>((resolve, reject) => {
      const ticket = this.ticket(records.length, result as T, resolve, reject);
      for (const { topic, message } of records) this.push(topic, message, ticket);
      this.schedule();
    });
  }

  /** The same for one record, without the arrays: the hot path of publish(). */
  enqueueOne<T>(topic: string, message: Message, result: T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.push(topic, message, this.ticket(1, result, resolve, reject));
      this.schedule();
    });
  }

  private ticket<T>(
    remaining: number,
    result: T,
    resolve: (result: T) => void,
    reject: (error: unknown) => void,
  ): Ticket {
    return { remaining, settled: false, result, resolve: resolve as Ticket["resolve"], reject };
  }

  private push(topic: string, message: Message, ticket: Ticket): void {
    const bytes = sizeOf(message);
    this.pending.push({ topic, message, bytes, ticket });
    this.pendingBytes += bytes;
  }

  get size(): number {
    return this.pending.length;
  }

  /** Sends everything pending without waiting for the linger time; resolves when all is acknowledged. */
  async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.inFlight || this.pending.length > 0) {
        this.schedule();
        await new Promise<void>((resolve) => this.idle.push(resolve));
      }
    } finally {
      this.draining = false;
    }
  }

  private schedule(): void {
    if (this.inFlight || this.pending.length === 0) return;
    const full =
      this.pending.length >= this.options.maxBatchEvents || this.pendingBytes >= this.options.maxBatchBytes;
    if (full || this.draining || this.options.lingerMs <= 0) {
      this.flush();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        if (!this.inFlight) this.flush();
      }, this.options.lingerMs);
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.take();
    if (batch.length === 0) return;
    this.inFlight = true;
    // sendBatch settles every record's promise itself and never rejects.
    void this.sendBatch(batch).finally(() => {
      this.inFlight = false;
      // Records that arrived during the request already waited a round trip: send them now.
      if (this.pending.length > 0) this.flush();
      // drain() re-checks its condition on every wake-up.
      for (const wake of this.idle.splice(0)) wake();
    });
  }

  private take(): Pending[] {
    let count = 0;
    let bytes = 0;
    const perTopic = new Map<string, number>();
    while (count < this.pending.length && count < this.options.maxBatchEvents) {
      const next = this.pending[count] as Pending;
      const topicBytes = (perTopic.get(next.topic) ?? 0) + next.bytes;
      // Stop at the first record that does not fit: taking later ones would reorder its topic.
      if (count > 0 && topicBytes > this.options.maxBatchBytes) break;
      perTopic.set(next.topic, topicBytes);
      bytes += next.bytes;
      count++;
    }
    this.pendingBytes -= bytes;
    return this.pending.splice(0, count);
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    let bytes = 0;
    for (const { topic, message, bytes: size } of batch) {
      bytes += size;
      let messages = byTopic.get(topic);
      if (!messages) {
        messages = [];
        byTopic.set(topic, messages);
      }
      messages.push(message);
    }
    try {
      await this.send(
        [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        bytes,
      );
    } catch (error) {
      for (const { ticket } of batch) {
        if (!ticket.settled) {
          ticket.settled = true;
          ticket.reject(error);
        }
      }
      return;
    }
    for (const { ticket } of batch) {
      ticket.remaining--;
      if (ticket.remaining === 0 && !ticket.settled) {
        ticket.settled = true;
        ticket.resolve(ticket.result);
      }
    }
  }
}

/** What one record counts against `maxBatchBytes` (also used by bench/producer to batch alike). */
export function sizeOf(message: Message): number {
  const value = message.value as Buffer | null;
  const key = message.key as Buffer | string | null | undefined;
  // ~70 bytes of record overhead (offsets, timestamps, lengths, headers count).
  return (value?.length ?? 0) + (key?.length ?? 0) + 70;
}
