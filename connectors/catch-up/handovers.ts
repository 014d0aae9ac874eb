import { resumeJob } from "../../src/streams/catch-up-progress";
import type { EventStream } from "../../src/streams/event-stream";

/**
 * How far an in-order catch-up may still be behind the live path when it fixes the hand-over
 * offset: the live path then holds the stream's newer records while the catch-up reads at most this
 * many more records of the partition. Small, so the hold is short; large enough that a partition
 * busy with other projects' events lets a catch-up get this close.
 */
export const HANDOVER_GAP = 500;

type Decision = "deliver" | "skip";

/** The catch-up's recorded progress in the topic, another instance's included. */
type Recorded = () => { next: string; done: boolean } | undefined;

/** A record the live path holds until the hand-over settles. */
interface Held {
  offset: bigint;
  recorded: Recorded;
  release: (decision: Decision) => void;
}

/** Where a decision is made: one stream's records of one partition, for one catch-up job. */
interface Route {
  streamId: string;
  topic: string;
  partition: number;
  job: string;
}

/** One job's meeting point (a later resume, `resume@<revision>`, has one of its own). */
interface Handover extends Route {
  /** The live path delivers the stream's records from here on; the catch-up those before. */
  offset: bigint;
  settled?: Decision;
  /** The live path's held records, in the order they came. */
  held: Held[];
}

/**
 * The meeting point of an in-order catch-up (Backlog.inOrder: a FIFO destination) and the live
 * path, in the process that owns the partition and so runs both. Until they meet, the catch-up
 * reads on past the backlog's end and the live path leaves the stream's records to it. When the
 * catch-up is within HANDOVER_GAP of what the live path has routed, it fixes the hand-over offset
 * just past the live path's position: the live path holds the stream's records from there and
 * delivers them once the catch-up has delivered everything before (then recorded as done, so
 * another instance knows the offset too). A partition that moved away leaves its held records to
 * its new owner.
 *
 * A job recorded done by another instance (it had the partition for a while, and handed over at an
 * offset of its own) counts here only if it covers what this process's live path left to the
 * catch-up: its `next` past every such record. One that does not (its done record came after this
 * process had left records past it to the catch-up) is run again (see leftPast): otherwise those
 * records, committed past, would reach the destination from nobody. A hand-over abandoned because
 * the catch-up stopped goes by what is recorded then, the same way: a done job that counts leaves
 * this process the records from its `next` on, a job not done leaves them all to the next catch-up.
 */
export class Handovers {
  /** The highest offset the live path has routed, per partition. */
  private readonly routed = new Map<string, bigint>();
  private readonly open = new Map<string, Handover>();
  /**
   * The highest offset of an in-order stream the live path left to its catch-up, with the job,
   * per stream and topic, since this process got the partition.
   */
  private readonly left = new Map<string, Route & { offset: bigint }>();

  /**
   * The live path's route of one record to one active stream: `deliver` runs now (synchronously,
   * so the stream's records reach its lane in offset order), later for a held record, or never
   * when the stream's catch-up delivers it. `recorded`: the catch-up's recorded progress in the
   * topic, another instance's included (looked up only for a resumed stream's records). Call
   * noteRouted for the record first.
   */
  route(
    stream: EventStream,
    topic: string,
    partition: number,
    offset: bigint,
    recorded: Recorded,
    deliver: () => Promise<void>,
  ): Promise<void> | undefined {
    const decision = this.decide(stream, topic, partition, offset, recorded);
    if (decision === "deliver") return deliver();
    if (decision === "skip") return undefined;
    return new Promise<void>((resolve, reject) => {
      decision.held.push({
        offset,
        recorded,
        release: (d) => {
          if (d === "skip") resolve();
          else deliver().then(resolve, reject);
        },
      });
    });
  }

  /** The live path is about to route this record: called synchronously with its routing. */
  noteRouted(topic: string, partition: number, offset: bigint): void {
    const key = partitionKey(topic, partition);
    const previous = this.routed.get(key);
    if (previous === undefined || offset > previous) this.routed.set(key, offset);
  }

  /** The partition is no longer this process's: what was routed of it says nothing any more. */
  forgetPartition(topic: string, partition: number): void {
    this.routed.delete(partitionKey(topic, partition));
    for (const [key, left] of this.left)
      if (left.topic === topic && left.partition === partition) this.left.delete(key);
    for (const [key, handover] of this.open) {
      if (handover.topic !== topic || handover.partition !== partition) continue;
      this.open.delete(key);
      settle(handover, handover.settled ?? "skip");
    }
  }

  /** The stream is deleted: what was left to its catch-ups is forgotten (so `left` holds live streams only). */
  forgetStream(streamId: string): void {
    for (const [key, left] of this.left) if (left.streamId === streamId) this.left.delete(key);
  }

  /**
   * Whether the live path left a record to the job's catch-up at or past `next`: a done record at
   * `next` does not cover it, and the job runs again from there (the runner asks, as decide does).
   */
  leftPast(streamId: string, topic: string, job: string, next: string): boolean {
    const left = this.left.get(handoverKey(streamId, topic));
    return left !== undefined && left.job === job && left.offset >= BigInt(next);
  }

  /** Whether the live path has routed a record of the partition since this process got it. */
  hasRouted(topic: string, partition: number): boolean {
    return this.routed.has(partitionKey(topic, partition));
  }

  /**
   * Fixes the hand-over offset when the catch-up at `next` is close enough behind the live path:
   * just past what the live path routed (or `next` itself when the live path is not that far).
   * Before the live path routed anything it starts at the group's `committed` offset, which the
   * caller then gives (the live path commits past the records it leaves to the catch-up, so that
   * may be far ahead). Returns the offset the catch-up must read up to, or undefined to read on.
   */
  propose(
    job: string,
    streamId: string,
    topic: string,
    partition: number,
    next: bigint,
    committed?: bigint,
  ): bigint | undefined {
    const existing = this.open.get(handoverKey(streamId, topic));
    // The same job's hand-over stands once fixed, and once done too: a catch-up of that job run
    // again (from progress recorded before it finished) must not move it past records the live
    // path already has in flight, or both would deliver them at once, in no order.
    if (existing?.job === job && existing.settled !== "skip") return existing.offset;
    const routed = this.routed.get(partitionKey(topic, partition));
    const liveNext = routed === undefined ? committed : routed + 1n;
    if (liveNext === undefined || liveNext - next > BigInt(HANDOVER_GAP)) return undefined;
    const offset = liveNext > next ? liveNext : next;
    this.open.set(handoverKey(streamId, topic), { streamId, topic, partition, job, offset, held: [] });
    return offset;
  }

  /**
   * The catch-up delivered (and recorded) everything before the offset: the held records go. The
   * hand-over is kept until the registry shows the catch-up done: until then it is what says so.
   */
  complete(streamId: string, topic: string): void {
    const handover = this.open.get(handoverKey(streamId, topic));
    if (handover && !handover.settled) settle(handover, "deliver");
  }

  /**
   * The catch-up stopped before the offset. Each held record goes by the progress recorded now: a
   * job done (by another instance, at its own offset) leaves this process the records from its
   * `next` on; a job not done leaves them all to the next catch-up.
   */
  abandon(streamId: string, topic: string): void {
    const key = handoverKey(streamId, topic);
    const handover = this.open.get(key);
    if (!handover || handover.settled) return;
    this.open.delete(key);
    settle(handover, "skip", (held) => this.byRecordedProgress(handover, held.offset, held.recorded()));
  }

  private decide(
    stream: EventStream,
    topic: string,
    partition: number,
    offset: bigint,
    recordedNow: Recorded,
  ): Decision | Handover {
    const backlog = stream.backlog;
    const end = backlog?.to?.[topic];
    if (!backlog || backlog.resumedRevision === undefined || !end || end.partition !== partition)
      return "deliver";
    if (!backlog.inOrder) return offset < BigInt(end.offset) ? "skip" : "deliver";
    const job = resumeJob(backlog.resumedRevision);
    const at: Route = { streamId: stream.id, topic, partition, job };
    const recorded = recordedNow();
    const key = handoverKey(stream.id, topic);
    const handover = this.open.get(key);
    const doneCovers = recorded?.done === true && !this.leftPast(stream.id, topic, job, recorded.next);
    if (handover && handover.job !== job) {
      // A stale resume's: its catch-up is stopped, and the new one is open-ended again.
      this.open.delete(key);
      if (!handover.settled) settle(handover, "skip");
    } else if (handover && doneCovers) {
      // The recorded progress speaks for it now (it is recorded before the catch-up completes it,
      // or by another instance that handed over at an offset of its own).
      this.open.delete(key);
      if (!handover.settled)
        settle(handover, "deliver", (held) => this.byRecordedProgress(at, held.offset, recorded));
    } else if (handover) {
      if (offset < handover.offset) return this.leave(at, offset);
      return handover.settled ?? handover;
    }
    return this.byRecordedProgress(at, offset, recorded);
  }

  /**
   * A record the catch-up's recorded progress decides: before a done job's `next` it was that
   * catch-up's to deliver, from there on the live path's; while the job is not done (or its done
   * record does not cover what was left to it already) the catch-up's, which reads on past it.
   */
  private byRecordedProgress(
    at: Route,
    offset: bigint,
    recorded: { next: string; done: boolean } | undefined,
  ): Decision {
    if (recorded?.done && !this.leftPast(at.streamId, at.topic, at.job, recorded.next)) {
      this.left.delete(handoverKey(at.streamId, at.topic)); // covered: nothing to remember
      return offset < BigInt(recorded.next) ? "skip" : "deliver";
    }
    return this.leave(at, offset);
  }

  /** The live path leaves the record to the catch-up: remembered, as what a done record must cover. */
  private leave(at: Route, offset: bigint): "skip" {
    const key = handoverKey(at.streamId, at.topic);
    const left = this.left.get(key);
    if (left?.job !== at.job || offset > left.offset) this.left.set(key, { ...at, offset });
    return "skip";
  }
}

/**
 * Held records go (or are left) in the order they came, each as `decide` says (by default as the
 * hand-over settled), before anything routed after this.
 */
function settle(
  handover: Handover,
  settled: Decision,
  decide: (held: Held) => Decision = () => settled,
): void {
  handover.settled = settled;
  const held = handover.held.splice(0);
  for (const record of held) record.release(decide(record));
}

const partitionKey = (topic: string, partition: number) => `${topic}\n${partition}`;
const handoverKey = (streamId: string, topic: string) => `${streamId}\n${topic}`;
