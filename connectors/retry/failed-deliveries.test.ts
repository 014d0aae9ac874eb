import type { IHeaders, KafkaMessage, Message, Producer } from "kafkajs";
import { H, headerString, parseLadder, readRetryRecord } from "../../src/retry";
import { FailedDeliveryWriter, HANDOFF_CHUNK } from "./failed-deliveries";

// The retry path's record format: what the writer puts on a step is what the tier consumer reads.

function setup() {
  const requests: { topic: string; messages: Message[] }[][] = [];
  const producer = {
    sendBatch: async ({ topicMessages }: { topicMessages: { topic: string; messages: Message[] }[] }) => {
      requests.push(topicMessages);
    },
  } as unknown as Producer;
  const tiers = parseLadder("5s,30s").map((t) => ({ ...t, topic: `retry.${t.name}` }));
  const writer = new FailedDeliveryWriter(
    producer,
    { tiers, deadLetter: "dlq", parked: "parked", jitter: "none", misconfigurationTier: 1 },
    { now: () => 1_000_000 },
  );
  return { writer, requests };
}

const source = (offset: number) => ({
  topic: "identities",
  partition: 2,
  offset: String(offset),
  value: Buffer.from(`event-${offset}`),
});

/** A written message as kafkajs hands it to a consumer: header values are Buffers. */
function asRead(m: Message, offset: number): KafkaMessage {
  const headers: IHeaders = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = Buffer.from(String(v));
  return {
    key: Buffer.from(String(m.key)),
    value: m.value as Buffer,
    headers,
    offset: String(offset),
    timestamp: "1000000",
    attributes: 0,
  } as KafkaMessage;
}

describe("FailedDeliveryWriter and the retry record", () => {
  it("writes each delivery with its event bytes, stream, attempt, first failure, due time and errors; dead-letters with the full history", async () => {
    const { writer, requests } = setup();
    const failure = {
      source: source(7),
      streamId: "s1",
      projectId: "p1",
      sinkType: "fake",
      result: { outcome: "retryable", code: "Down", message: "down" } as const,
    };
    await writer.handOff([failure]);
    const first = requests[0]?.[0];
    expect(first?.topic).toBe("retry.5s");
    const read = readRetryRecord(asRead(first?.messages[0] as Message, 0), 0);
    expect(read.streamId).toBe("s1");
    expect(read.projectId).toBe("p1");
    expect(read.dueAt).toBe(1_005_000);
    expect(read.source).toEqual(source(7));
    expect(read.state).toMatchObject({
      attempt: 1,
      tierIndex: 0,
      firstFailedAt: new Date(1_000_000).toISOString(),
      history: [{ attempt: 1, sink: "fake", code: "Down", message: "down" }],
    });
    const retry = JSON.parse(headerString(first?.messages[0]?.headers, H.retry) ?? "{}");
    expect(retry.lastError).toEqual({ sink: "fake", code: "Down", message: "down" });

    // Second failure: the 30s step; third: past the ladder, the dead-letter topic, one header each.
    await writer.handOff([{ ...failure, previous: read.state }]);
    const second = readRetryRecord(asRead(requests[1]?.[0]?.messages[0] as Message, 1), 1);
    expect(second.state.attempt).toBe(2);
    expect(requests[1]?.[0]?.topic).toBe("retry.30s");
    const result = await writer.handOff([
      { ...failure, result: { outcome: "retryable", code: "Gone", message: "gone" }, previous: second.state },
    ]);
    expect(result.deadLettered).toBe(1);
    const dead = requests[2]?.[0];
    expect(dead?.topic).toBe("dlq");
    const h = (name: string) => headerString(dead?.messages[0]?.headers, name);
    expect(dead?.messages[0]?.value).toEqual(source(7).value);
    expect(h(H.reason)).toBe("retries-exhausted");
    expect(h(H.streamId)).toBe("s1");
    expect(h(H.attempt)).toBe("3");
    expect(h(H.sourceOffset)).toBe("7");
    expect(h(H.errorCode)).toBe("Gone");
    expect(JSON.parse(h(H.errorHistory) ?? "[]").map((e: { code: string }) => e.code)).toEqual([
      "Down",
      "Down",
      "Gone",
    ]);
  });

  it("still reads retry records written with one header per field (older connectors, redrive)", () => {
    const read = readRetryRecord(
      asRead(
        {
          key: "s9",
          value: Buffer.from("x"),
          headers: {
            [H.sourceTopic]: "t",
            [H.sourcePartition]: "1",
            [H.sourceOffset]: "42",
            [H.redriveOf]: "0/5",
            [H.streamId]: "s9",
            [H.projectId]: "p9",
            [H.attempt]: "2",
            [H.firstFailedAt]: "2026-01-01T00:00:00.000Z",
            [H.errorHistory]: '[{"attempt":1},{"attempt":2}]',
            [H.dueAt]: "2026-01-01T00:00:05.000Z",
          },
        },
        3,
      ),
      0,
    );
    expect(read).toMatchObject({
      streamId: "s9",
      projectId: "p9",
      dueAt: Date.parse("2026-01-01T00:00:05.000Z"),
    });
    expect(read.source).toMatchObject({ topic: "t", partition: 1, offset: "42" });
    expect(read.state.attempt).toBe(2);
    expect(read.state.history).toHaveLength(2);
    expect(read.state.carried[H.redriveOf]).toBe("0/5");
  });

  it("sends a large hand-off in several requests, and settles only when all are written", async () => {
    const { writer, requests } = setup();
    const failures = Array.from({ length: HANDOFF_CHUNK * 2 + 1 }, (_, i) => ({
      source: source(i),
      streamId: "s1",
      projectId: "p1",
      sinkType: "fake",
      result: { outcome: "retryable", code: "CircuitOpen", message: "open" } as const,
    }));
    await writer.handOff(failures);
    expect(requests.map((r) => r[0]?.messages.length)).toEqual([HANDOFF_CHUNK, HANDOFF_CHUNK, 1]);
    const offsets = requests
      .flatMap((r) => r[0]?.messages ?? [])
      .map((m, i) => readRetryRecord(asRead(m, i), 0));
    expect(offsets.map((r) => r.source.offset)).toEqual(failures.map((f) => f.source.offset));
  });

  it("rejects when any request of a hand-off fails", async () => {
    let calls = 0;
    const producer = {
      sendBatch: async () => {
        calls++;
        if (calls === 1) throw new Error("broker unavailable");
      },
    } as unknown as Producer;
    const writer = new FailedDeliveryWriter(producer, {
      tiers: parseLadder("5s").map((t) => ({ ...t, topic: "retry.5s" })),
      deadLetter: "dlq",
      parked: "parked",
      jitter: "full",
      misconfigurationTier: 0,
    });
    const failures = Array.from({ length: HANDOFF_CHUNK + 1 }, (_, i) => ({
      source: source(i),
      streamId: "s1",
      projectId: "p1",
      sinkType: "fake",
      result: { outcome: "retryable", code: "Down", message: "down" } as const,
    }));
    await expect(writer.handOff(failures)).rejects.toThrow("broker unavailable");
    expect(calls).toBe(2);
  });
});
