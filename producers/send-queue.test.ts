import type { TopicMessages } from "kafkajs";
import { SendQueue, sizeOf } from "./send-queue";

describe("SendQueue", () => {
  it("sends in order, one request at a time, batching what arrives while a request is in flight", async () => {
    const requests: string[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const queue = new SendQueue(
      async (batch: TopicMessages[]) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        requests.push(batch.flatMap((t) => t.messages.map((m) => String(m.value))));
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
      { maxBatchEvents: 3, maxBatchBytes: 1_000_000, lingerMs: 0 },
    );
    const sends = Array.from({ length: 7 }, (_, i) =>
      queue.enqueue([{ topic: "t", message: { value: Buffer.from(String(i)) } }]),
    );
    await Promise.all(sends);
    expect(maxInFlight).toBe(1);
    expect(requests.flat()).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
    expect(requests[0]).toEqual(["0"]);
    expect(requests.slice(1).every((r) => r.length <= 3)).toBe(true);
  });

  it("tells send() each request's size, which decides whether it is compressed", async () => {
    const sizes: number[] = [];
    const queue = new SendQueue(
      async (_batch: TopicMessages[], bytes: number) => {
        sizes.push(bytes);
      },
      { maxBatchEvents: 10, maxBatchBytes: 1_000_000, lingerMs: 1_000 },
    );
    const message = (bytes: number) => ({ topic: "t", message: { key: "k", value: Buffer.alloc(bytes) } });
    const sent = queue.enqueue([message(100), message(2_000)]);
    await queue.drain();
    await sent;
    expect(sizes).toEqual([sizeOf(message(100).message) + sizeOf(message(2_000).message)]);
    expect(sizes[0]).toBeGreaterThan(2_100);
  });

  it("rejects every caller whose records were in a failed request, and drain() still settles", async () => {
    const queue = new SendQueue(async () => Promise.reject(new Error("broker said no")), {
      maxBatchEvents: 10,
      maxBatchBytes: 1_000_000,
      lingerMs: 1_000,
    });
    const sent = queue.enqueue([{ topic: "t", message: { value: Buffer.from("x") } }]);
    await queue.drain(); // does not wait for the 1 s linger
    await expect(sent).rejects.toThrow("broker said no");
  });
});
