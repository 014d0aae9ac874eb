import { PartitionWindow, type WindowEntry } from "./partition-window";

describe("PartitionWindow", () => {
  const open = (capacity = 10, onRoom = () => {}) => new PartitionWindow("t", 0, capacity, onRoom);

  it("commits only past the finished prefix, across batches and out of order", () => {
    const window = open();
    const [a, b, c] = ["5", "6", "9"].map((offset) => window.admit(offset)) as [
      WindowEntry,
      WindowEntry,
      WindowEntry,
    ];
    window.finish(b);
    window.finish(c);
    expect(window.commitPoint()).toBeUndefined(); // 5 is still being delivered
    expect(window.firstUnfinished()).toBe("5");
    window.finish(a);
    expect(window.commitPoint()).toBe("10");
    window.markCommitted("10");
    expect(window.commitPoint()).toBeUndefined();
    const d = window.admit("10");
    window.finish(d);
    expect(window.commitPoint()).toBe("11");
  });

  it("keeps the commit point when the finished prefix is dropped from memory", () => {
    const window = open(5_000);
    const entries = Array.from({ length: 3_000 }, (_, i) => window.admit(String(i)));
    for (const entry of entries) window.finish(entry);
    expect(window.commitPoint()).toBe("3000");
    expect(window.firstUnfinished()).toBeUndefined();
  });

  it("refuses records already admitted (read again after a seek)", () => {
    const window = open();
    window.admit("7");
    expect(window.expects("7")).toBe(false);
    expect(window.expects("6")).toBe(false);
    expect(window.expects("8")).toBe(true);
  });

  it("is full at capacity and reports room once half has drained", () => {
    const onRoom = jest.fn();
    const window = open(4, onRoom);
    const entries = ["0", "1", "2", "3"].map((offset) => window.admit(offset));
    expect(window.full).toBe(true);
    window.pausedForRoom = true;
    window.finish(entries[3] as WindowEntry);
    expect(onRoom).not.toHaveBeenCalled();
    window.finish(entries[2] as WindowEntry);
    expect(onRoom).toHaveBeenCalledWith(window);
  });

  it("is idle when every admitted record has finished", async () => {
    const window = open();
    const entry = window.admit("1");
    let idle = false;
    const waiting = window.idle().then(() => {
      idle = true;
    });
    await Promise.resolve();
    expect(idle).toBe(false);
    window.finish(entry);
    await waiting;
    expect(idle).toBe(true);
  });
});
