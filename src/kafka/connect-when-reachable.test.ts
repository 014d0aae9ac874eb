import { KafkaJSConnectionError, KafkaJSNonRetriableError } from "kafkajs";
import pino from "pino";
import { connectWhenReachable } from "./connect-when-reachable";

describe("connecting the first Kafka client of a process", () => {
  it("tries again while the brokers cannot be reached, and throws any other failure", async () => {
    let calls = 0;
    const refused = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 127.0.0.1:9092");
    const flaky = {
      connect: async () => {
        calls++;
        if (calls === 1) throw refused;
        if (calls === 2) throw Object.assign(new KafkaJSNonRetriableError(refused), { cause: refused });
      },
    };
    await connectWhenReachable(flaky, ["127.0.0.1:9092"], pino({ level: "silent" }));
    expect(calls).toBe(3);

    const denied = { connect: async () => Promise.reject(new Error("SASL authentication failed")) };
    await expect(connectWhenReachable(denied, ["127.0.0.1:9092"], pino({ level: "silent" }))).rejects.toThrow(
      /SASL/,
    );
  }, 10_000);
});
