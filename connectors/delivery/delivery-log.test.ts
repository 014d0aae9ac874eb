import type { Producer } from "kafkajs";
import pino from "pino";
import { sampleStream } from "../../test/support/streams";
import { DeliveryLogWriter } from "./delivery-log";

const event = (id: string) => ({
  id,
  name: "LoginSucceeded",
  domain: "identities" as const,
  version: "1",
  timestamp: new Date(),
  projectId: "p",
  eventAttributes: {},
});
const placement = { kind: "dead-letter" as const, reason: "permanent-failure" as const };
const failure = { outcome: "permanent" as const, code: "HTTP400", message: "x".repeat(2_000) };

describe("the deliveries log's writer", () => {
  it("keeps a bounded buffer, counts what it drops, and never throws into the delivery path", async () => {
    let release: () => void = () => undefined;
    const sent: number[] = [];
    const producer = {
      send: ({ messages }: { messages: unknown[] }) => {
        sent.push(messages.length);
        // The first request hangs (a broker away), the next one fails.
        return sent.length === 1
          ? new Promise<void>((resolve) => {
              release = resolve;
            })
          : Promise.reject(new Error("broker away"));
      },
    } as unknown as Producer;
    let dropped = 0;
    const writer = new DeliveryLogWriter({
      producer,
      topic: "deliveries",
      logger: pino({ level: "silent" }),
      maxBuffered: 3,
      flushMs: 1,
      onDropped: (n) => (dropped += n),
    });
    const stream = sampleStream();
    const attempt = { streamId: stream.id, projectId: stream.projectId, attempt: 1 };
    for (let i = 0; i < 5; i++) writer.failed({ ...attempt, event: event(`e${i}`) }, failure, placement);
    expect(dropped).toBe(2); // 3 buffered, 2 refused
    await new Promise((resolve) => setTimeout(resolve, 20));
    writer.failed({ ...attempt, event: event("later") }, failure, placement);
    release();
    await writer.stop();
    // The second request: the later failure and the stream's tally (6 failures), refused.
    expect(sent).toEqual([3, 2]);
    expect(dropped).toBe(4);
  });

  it("samples successes per stream and second, and every failure is kept", () => {
    const messages: string[] = [];
    const producer = {
      send: ({ messages: m }: { messages: { value: string }[] }) => {
        messages.push(...m.map((x) => x.value));
        return Promise.resolve();
      },
    } as unknown as Producer;
    const writer = new DeliveryLogWriter({
      producer,
      topic: "deliveries",
      logger: pino({ level: "silent" }),
    });
    const a = sampleStream();
    const b = sampleStream();
    for (let i = 0; i < 100; i++) writer.delivered(a, event(`a${i}`), 1, 3);
    writer.delivered(b, event("b"), 1, 3);
    for (let i = 0; i < 10; i++)
      writer.failed(
        { streamId: a.id, projectId: a.projectId, attempt: 1, event: event(`f${i}`) },
        failure,
        placement,
      );
    return writer.stop().then(() => {
      const entries = messages.map((m) => JSON.parse(m));
      // At most one success of a this second (two if the second turned meanwhile), one of b, ten failures.
      expect(
        entries.filter((e) => e.outcome === "delivered" && e.streamId === a.id).length,
      ).toBeLessThanOrEqual(2);
      expect(entries.filter((e) => e.streamId === b.id && e.outcome)).toHaveLength(1);
      // Every delivery and failure counts in the stretch's tallies, sampled or not.
      const tallies = entries.filter((e) => e.kind === "tally");
      expect(tallies.find((t) => t.streamId === a.id)).toMatchObject({ delivered: 100, failed: 10 });
      expect(tallies.find((t) => t.streamId === b.id)).toMatchObject({ delivered: 1, failed: 0 });
      expect(tallies.find((t) => t.streamId === a.id).latency[0]).toBe(100); // 3 ms: the first bucket
      const failures = entries.filter((e) => e.outcome === "permanent");
      expect(failures).toHaveLength(10);
      expect(failures[0].message.length).toBeLessThanOrEqual(501);
      expect(failures[0].next).toBe("dead-letter");
    });
  });
});
