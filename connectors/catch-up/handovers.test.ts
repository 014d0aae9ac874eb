import { resumeJob } from "../../src/streams/catch-up-progress";
import type { EventStream } from "../../src/streams/event-stream";
import { HANDOVER_GAP, Handovers } from "./handovers";

const TOPIC = "identities";

function resumed(inOrder: boolean, revision = 4): EventStream {
  return {
    id: "s1",
    projectId: "p1",
    type: "sns",
    config: {},
    status: "active",
    eventTypes: [],
    createdAt: "",
    updatedAt: "",
    revision,
    pausedAt: null,
    pausedReason: null,
    backlog: {
      from: { [TOPIC]: { partition: 2, offset: "10" } },
      to: { [TOPIC]: { partition: 2, offset: "100" } },
      resumedRevision: revision,
      ...(inOrder ? { inOrder: true } : {}),
    },
  };
}

/** Routes records 0..n-1 of partition 2 and returns which were delivered, in delivery order. */
function routeAll(
  handovers: Handovers,
  stream: EventStream,
  offsets: number[],
  delivered: number[],
  recorded: () => { next: string; done: boolean } | undefined = () => undefined,
) {
  return offsets.map((offset) => {
    handovers.noteRouted(TOPIC, 2, BigInt(offset));
    return handovers.route(stream, TOPIC, 2, BigInt(offset), recorded, async () => {
      delivered.push(offset);
    });
  });
}

describe("Handovers", () => {
  it("leaves the backlog's records to the catch-up and delivers the rest, for a stream without order", async () => {
    const delivered: number[] = [];
    await Promise.all(routeAll(new Handovers(), resumed(false), [98, 99, 100, 101], delivered));
    expect(delivered).toEqual([100, 101]);
  });

  it("leaves every record of an in-order stream to its catch-up until they meet", async () => {
    const delivered: number[] = [];
    await Promise.all(routeAll(new Handovers(), resumed(true), [99, 100, 500, 900], delivered));
    expect(delivered).toEqual([]);
  });

  it("fixes the hand-over only close behind the live path, holds newer records, then delivers them in order", async () => {
    const handovers = new Handovers();
    const stream = resumed(true);
    const delivered: number[] = [];
    await Promise.all(routeAll(handovers, stream, [1000], delivered));
    const job = resumeJob(4);
    expect(handovers.propose(job, "s1", TOPIC, 2, BigInt(1000 - HANDOVER_GAP - 1))).toBeUndefined();
    expect(handovers.propose(job, "s1", TOPIC, 2, 900n)).toBe(1001n);
    const held = routeAll(handovers, stream, [1000, 1001, 1002], delivered);
    expect(held[0]).toBeUndefined(); // before the hand-over: the catch-up's
    await Promise.resolve();
    expect(delivered).toEqual([]);
    handovers.complete("s1", TOPIC);
    // Released synchronously, before anything routed after.
    const later = routeAll(handovers, stream, [1003], delivered);
    await Promise.all([...held, ...later]);
    expect(delivered).toEqual([1001, 1002, 1003]);
  });

  it("keeps a done hand-over where it was when the same job's catch-up runs again", async () => {
    const handovers = new Handovers();
    const stream = resumed(true);
    const delivered: number[] = [];
    await Promise.all(routeAll(handovers, stream, [1000], delivered));
    const job = resumeJob(4);
    expect(handovers.propose(job, "s1", TOPIC, 2, 900n)).toBe(1001n);
    handovers.complete("s1", TOPIC);
    // The live path routes on (these may still be in flight) while the job runs again from older
    // progress: it reads to the same offset, so the live path's records are never the catch-up's too.
    await Promise.all(routeAll(handovers, stream, [1001, 1002], delivered));
    expect(handovers.propose(job, "s1", TOPIC, 2, 950n)).toBe(1001n);
    await Promise.all(routeAll(handovers, stream, [1003], delivered));
    expect(delivered).toEqual([1001, 1002, 1003]);
  });

  it("hands over at the catch-up's own position when the live path is behind it", () => {
    const handovers = new Handovers();
    expect(handovers.propose(resumeJob(4), "s1", TOPIC, 2, 300n, 200n)).toBe(300n);
  });

  it("knows where the live path starts only from what it routed or the group's committed offset", () => {
    const handovers = new Handovers();
    expect(handovers.propose(resumeJob(4), "s1", TOPIC, 2, 300n)).toBeUndefined();
    // The live path committed past what it left to the catch-up: it starts far ahead.
    expect(handovers.propose(resumeJob(4), "s1", TOPIC, 2, 300n, 5000n)).toBeUndefined();
    expect(handovers.propose(resumeJob(4), "s1", TOPIC, 2, 4600n, 5000n)).toBe(5000n);
  });

  it("leaves held records to the next catch-up when the hand-over is abandoned", async () => {
    const handovers = new Handovers();
    const stream = resumed(true);
    const delivered: number[] = [];
    handovers.propose(resumeJob(4), "s1", TOPIC, 2, 50n, 50n);
    const held = routeAll(handovers, stream, [50, 51], delivered);
    handovers.abandon("s1", TOPIC);
    await Promise.all(held);
    expect(delivered).toEqual([]);
    // And later records are the (open-ended again) catch-up's too.
    await Promise.all(routeAll(handovers, stream, [52], delivered));
    expect(delivered).toEqual([]);
  });

  it("delivers held records past another instance's hand-over when the catch-up stops because that one recorded the job done", async () => {
    // This process proposed a hand-over at 510 while another instance, which had the partition for
    // a while, caught up and recorded the job done at its own hand-over offset, 505: seeing that,
    // the runner stops this process's catch-up.
    const handovers = new Handovers();
    const delivered: number[] = [];
    const stream = resumed(true);
    let recorded: { next: string; done: boolean } | undefined = { next: "320", done: false };
    expect(handovers.propose(resumeJob(4), "s1", TOPIC, 2, 320n, 510n)).toBe(510n);
    const held = routeAll(handovers, stream, [510, 511], delivered, () => recorded);
    recorded = { next: "505", done: true };
    handovers.abandon("s1", TOPIC);
    await Promise.all(held);
    expect(delivered).toEqual([510, 511]);
  });

  it("runs a job again whose done record, another instance's, came after this process left records past it", async () => {
    const handovers = new Handovers();
    const stream = resumed(true);
    const job = resumeJob(4);
    const delivered: number[] = [];
    let recorded = { next: "320", done: false };
    const route = (offsets: number[]) => routeAll(handovers, stream, offsets, delivered, () => recorded);
    // Left to the catch-up (committed past), then the other instance's done record shows up: its
    // hand-over at 590 is behind them, and its live path never had them.
    await Promise.all(route([600, 601]));
    recorded = { next: "590", done: true };
    expect(handovers.leftPast("s1", TOPIC, job, "590")).toBe(true);
    await Promise.all(route([602]));
    expect(delivered).toEqual([]);
    // So the job's catch-up runs again from 590, and hands over past the live path.
    expect(handovers.propose(job, "s1", TOPIC, 2, 590n)).toBe(603n);
    const held = route([603]);
    recorded = { next: "603", done: true };
    handovers.complete("s1", TOPIC);
    await Promise.all([...held, ...route([604])]);
    expect(delivered).toEqual([603, 604]);
    expect(handovers.leftPast("s1", TOPIC, job, "603")).toBe(false);
  });

  it("forgets what was left to a deleted stream's catch-up", async () => {
    const handovers = new Handovers();
    const stream = resumed(true);
    const job = resumeJob(4);
    const recorded = () => ({ next: "320", done: false });
    await Promise.all(routeAll(handovers, stream, [600], [], recorded));
    expect(handovers.leftPast("s1", TOPIC, job, "590")).toBe(true);
    handovers.forgetStream("s1");
    expect(handovers.leftPast("s1", TOPIC, job, "590")).toBe(false);
  });

  it("abandons the hand-overs of a partition that moved away", async () => {
    const handovers = new Handovers();
    const delivered: number[] = [];
    handovers.propose(resumeJob(4), "s1", TOPIC, 2, 50n, 50n);
    const held = routeAll(handovers, resumed(true), [60], delivered);
    handovers.forgetPartition(TOPIC, 2);
    await Promise.all(held);
    expect(delivered).toEqual([]);
  });

  it("follows a catch-up recorded done by another instance", async () => {
    const handovers = new Handovers();
    const delivered: number[] = [];
    const stream = resumed(true);
    for (const offset of [700, 701]) {
      await handovers.route(
        stream,
        TOPIC,
        2,
        BigInt(offset),
        () => ({ next: "701", done: true }),
        async () => {
          delivered.push(offset);
        },
      );
    }
    expect(delivered).toEqual([701]);
  });
});
