import { SinkLane } from "./sink-lane";

describe("SinkLane", () => {
  function lane(concurrency = 1) {
    const clock = { now: 0 };
    return { clock, lane: new SinkLane<string>(concurrency, 250, () => clock.now) };
  }

  it("lends at most `concurrency` slots, and a slot comes back when nobody waits", () => {
    const { lane: l } = lane(2);
    expect([l.tryAcquire(), l.tryAcquire(), l.tryAcquire()]).toEqual([true, true, false]);
    expect(l.release()).toBeUndefined();
    expect(l.tryAcquire()).toBe(true);
  });

  it("gives an ending call's slot to a full batch before a partial one that has waited less", () => {
    const { lane: l, clock } = lane();
    l.tryAcquire();
    l.wait("partial", false);
    clock.now = 100;
    l.wait("full", true);
    expect(l.release()).toBe("full");
    expect(l.release()).toBe("partial");
    expect(l.release()).toBeUndefined();
    expect(l.load).toEqual({ inFlight: 0, waiting: 0 });
  });

  it("gives it to a partial batch once that has waited the longest allowed, so no stream starves", () => {
    const { lane: l, clock } = lane();
    l.tryAcquire();
    l.wait("quiet", false);
    l.wait("busy", true);
    clock.now = 250;
    expect(l.release()).toBe("quiet");
  });

  it("moves a waiting stream up when its batch fills, and never hands one stream two slots", () => {
    const { lane: l } = lane();
    l.tryAcquire();
    l.wait("a", false);
    l.wait("b", false);
    l.wait("b", true); // b filled while waiting
    l.wait("b", true); // and is told again: no second entry
    expect(l.isWaiting("b")).toBe(true);
    expect(l.release()).toBe("b");
    expect(l.isWaiting("b")).toBe(false);
    expect(l.release()).toBe("a");
    expect(l.release()).toBeUndefined();
  });
});
