import { KeyedLock } from "./keyed-lock";
import { OffsetWaiters } from "./offset-waiters";

describe("OffsetWaiters", () => {
  it("resolves a waiter once its offset is applied, and at once for an applied or empty offset", async () => {
    const offsets = new OffsetWaiters();
    await offsets.waitPast(0, -1, 10);
    let done = false;
    const waiting = offsets.waitPast(0, 4, 1_000).then(() => {
      done = true;
    });
    offsets.advance(0, 4);
    await Promise.resolve();
    expect(done).toBe(false);
    offsets.advance(0, 5);
    await waiting;
    await offsets.waitPast(0, 2, 10);
    offsets.advance(0, 3); // never moves back
    expect(offsets.next(0)).toBe(5);
  });

  it("times out and rejects pending waiters on close", async () => {
    const offsets = new OffsetWaiters();
    await expect(offsets.waitPast(1, 0, 10)).rejects.toThrow("not applied within 10 ms");
    const pending = offsets.waitPast(1, 0, Number.POSITIVE_INFINITY);
    offsets.close(new Error("stopped"));
    await expect(pending).rejects.toThrow("stopped");
  });
});

describe("KeyedLock", () => {
  it("runs tasks of one key one at a time, other keys freely, and survives a failed task", async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    let release: () => void = () => {};
    const first = lock.run("a", async () => {
      order.push("a1 start");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      order.push("a1 end");
      throw new Error("a1 failed");
    });
    const second = lock.run("a", async () => {
      order.push("a2");
    });
    await lock.run("b", async () => {
      order.push("b1");
    });
    release();
    await expect(first).rejects.toThrow("a1 failed");
    await second;
    expect(order).toEqual(["a1 start", "b1", "a1 end", "a2"]);
  });
});
