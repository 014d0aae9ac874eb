import { RequestSlots } from "./request-slots";

describe("RequestSlots", () => {
  it("runs at most `size` calls at once, the rest in order, and frees slots on failure", async () => {
    const slots = new RequestSlots(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const call = (i: number) =>
      slots.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        order.push(i);
        if (i === 1) throw new Error("boom");
        return i;
      });
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map(call));
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    expect(slots.load).toEqual({ active: 0, waiting: 0 });
  });
});
