import type { Consumer, EachMessagePayload, Kafka } from "kafkajs";
import { createMissingTopics } from "../../src/kafka/create-missing-topics";
import { waitFor } from "../../src/util/wait-for";
import { testKafka } from "../../support/clients";
import { uniqueName } from "../../support/unique";

describe("Kafka broker (KRaft, single node)", () => {
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(() => {
    kafka = testKafka();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
  });

  async function consumeInto(groupId: string, topic: string, received: string[]): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }: EachMessagePayload) => {
        received.push(String(message.value));
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    return consumer;
  }

  it("produces idempotently, consumes in a group, and resumes from the committed offset", async () => {
    const topic = uniqueName("foundation");
    const groupId = uniqueName("group");
    const admin = kafka.admin();
    await admin.connect();
    expect(await createMissingTopics(admin, [{ topic, numPartitions: 1 }])).toEqual([topic]);
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const first = ["a", "b", "c"];
    await producer.send({ topic, acks: -1, messages: first.map((value) => ({ key: "k", value })) });

    const firstRun: string[] = [];
    const consumer = await consumeInto(groupId, topic, firstRun);
    await waitFor(() => firstRun.length === first.length, {
      timeoutMs: 30_000,
      description: "first three records",
    });
    expect(firstRun).toEqual(first);
    await consumer.disconnect();

    const second = ["d", "e"];
    await producer.send({ topic, acks: -1, messages: second.map((value) => ({ key: "k", value })) });
    await producer.disconnect();

    const secondRun: string[] = [];
    await consumeInto(groupId, topic, secondRun);
    await waitFor(() => secondRun.length === second.length, {
      timeoutMs: 30_000,
      description: "two new records",
    });
    // Resumed after the committed offset: nothing of the first run is read again.
    expect(secondRun).toEqual(second);
  });
});
