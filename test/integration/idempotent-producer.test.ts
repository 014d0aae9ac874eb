import * as net from "node:net";
import { Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { createMissingTopics } from "../../src/kafka/create-missing-topics";
import { readToEnd } from "../../src/kafka/read-to-end";
import { stackFromEnv } from "../../support/stack-env";
import { uniqueName } from "../../support/unique";

/**
 * Sockets to the real broker whose produce answers can be lost: the request reaches the broker (and
 * is written), then the connection drops before its answer arrives, as when the broker dies right
 * after writing or the network fails on the way back. Produce requests are told by their header
 * (API key 0), their answers by the correlation id they carry.
 */
function losingSockets(): {
  socketFactory: NonNullable<KafkaConfig["socketFactory"]>;
  loseProduceAnswers(count: number): void;
} {
  let toLose = 0;
  const socketFactory: NonNullable<KafkaConfig["socketFactory"]> = ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    const produces = new Set<number>();
    const write = socket.write.bind(socket);
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      // A request: size (4 bytes), API key (2), version (2), correlation id (4).
      if (Buffer.isBuffer(chunk) && chunk.length >= 12 && chunk.readInt16BE(4) === 0)
        produces.add(chunk.readInt32BE(8));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof socket.write;
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string, ...args: unknown[]) => {
      const data = args[0];
      // An answer: size (4 bytes), correlation id (4).
      if (event === "data" && toLose > 0 && Buffer.isBuffer(data) && data.length >= 8) {
        if (produces.has(data.readInt32BE(4))) {
          toLose--;
          socket.destroy(new Error("connection lost before the produce answer (test fault)"));
          return true;
        }
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
    return socket;
  };
  return { socketFactory, loseProduceAnswers: (count) => (toLose = count) };
}

/**
 * kafkajs's idempotent producer gave a failed request's sequence numbers back, and the next
 * request took them. When the failed request had been written, the broker took the next one, other
 * records under the same numbers, for a retry of it: acknowledged, and dropped. Every producer of
 * this project is idempotent (the SDK's, the connector's retry and dead-letter writes, the stream
 * configuration's), so an acknowledged event or configuration could be lost to one lost answer.
 */
describe("an idempotent producer after a produce answer was lost", () => {
  it("writes the next acknowledged records (a new producer id, not the failed request's sequence numbers)", async () => {
    const { kafkaBrokers } = stackFromEnv();
    const sockets = losingSockets();
    const kafka = new Kafka({
      clientId: uniqueName("lost-answer"),
      brokers: [kafkaBrokers],
      logLevel: logLevel.NOTHING,
      socketFactory: sockets.socketFactory,
    });
    const topic = uniqueName("lost-answer");
    const admin = kafka.admin();
    await admin.connect();
    await createMissingTopics(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();

    // One retry: both answers lost, the failure reaches the caller, as it does once retries run out.
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 1, initialRetryTime: 50 },
    });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: [{ key: "p", value: "first" }] });
      sockets.loseProduceAnswers(2);
      await expect(
        producer.send({ topic, acks: -1, messages: [{ key: "p", value: "lost answer" }] }),
      ).rejects.toThrow();
      // Acknowledged: so it must be in the topic.
      const [acknowledged] = await producer.send({
        topic,
        acks: -1,
        messages: [{ key: "p", value: "after" }],
      });
      expect(acknowledged?.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }

    const values: string[] = [];
    await readToEnd(kafka, topic, (_partition, message) => {
      values.push(String(message.value));
    });
    // The one whose answer was lost was written (its request reached the broker) or not: either is
    // honest, since the caller was told it failed. What was acknowledged is there.
    expect(values).toContain("first");
    expect(values).toContain("after");
    expect(values.filter((v) => v !== "lost answer")).toEqual(["first", "after"]);
  }, 60_000);
});
