// Run as its own process: a StreamRegistry that prints one JSON line per event (ready, change).
import { Kafka, logLevel } from "kafkajs";
import { StreamRegistry } from "../../src/streams/stream-registry";

const [topic] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: "registry-watcher",
  brokers: [process.env.KAFKA_BROKERS ?? "127.0.0.1:9092"],
  logLevel: logLevel.ERROR,
});
const registry = new StreamRegistry({ kafka, topic });
const print = (line: object) => process.stdout.write(`${JSON.stringify({ ...line, at: Date.now() })}\n`);
registry.on("change", (id: string, stream: { revision: number } | undefined) =>
  print({ event: "change", id, revision: stream?.revision ?? null }),
);
registry.start().then(
  () => print({ event: "ready", size: registry.size }),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
const stop = () => void registry.stop().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
