/**
 * What the connector is compared with, on the same records and the same endpoint: Kafka alone
 * (fetch + decode), the SNS client alone (PublishBatch, no Kafka), and the hand-written naive
 * consumer (one Publish and one commit per message).
 */
import * as path from "node:path";
import type { Worker } from "node:worker_threads";
import { PublishBatchCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Kafka } from "kafkajs";
import { outgoingMessage } from "../../connectors/sinks/aws/batch/outgoing-message";
import { packEntries } from "../../connectors/sinks/aws/batch/pack-entries";
import { SignedRequests } from "../../connectors/sinks/aws/lean/signed-requests";
import type { AwsTransport } from "../../connectors/sinks/aws/lean/transport-setting";
import { snsService } from "../../connectors/sinks/sns";
import { createEventDecoder } from "../../src/codec/event-decoder";
import { type DomainEvent, toDeliveredEvent } from "../../src/events/domain-event";
import { startWorker } from "../../src/util/worker";
import { round } from "../producer/stats";
import { waitFor } from "./processes";

export interface Rate {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

const rate = (events: number, ms: number): Rate => ({
  events,
  seconds: round(ms / 1000, 2),
  eventsPerSecond: Math.round(events / Math.max(ms / 1000, 0.001)),
});

/** An SNS client like the connector's (keep-alive pool of `sockets`), static credentials, fake endpoint. */
export function snsClient(endpoint: string, sockets: number): SNSClient {
  return new SNSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: sockets } }),
    maxAttempts: 2,
  });
}

/** Fetch and decode only, in a new group, until `target` records are decoded. */
export async function kafkaCeiling(kafka: Kafka, topics: string[], registryUrl: string, target: number) {
  const decoder = createEventDecoder({ registryUrl });
  const consumer = kafka.consumer({ groupId: `bench-kafka-${Date.now().toString(36)}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let decoded = 0;
  let started = 0;
  let ended = 0;
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch }) => {
      started ||= performance.now();
      await Promise.all(batch.messages.map((m) => decoder.decode(m.value, batch.topic)));
      decoded += batch.messages.length;
      if (decoded >= target && !ended) ended = performance.now();
    },
  });
  await waitFor(async () => ended > 0, 300_000);
  await consumer.disconnect();
  return rate(decoded, (ended || performance.now()) - started);
}

/**
 * PublishBatch of the same events (10 per call, grouped by project as the connector does),
 * `concurrency` calls at once, through the SDK's client or the lean request path.
 */
export async function snsCeiling(
  events: readonly DomainEvent[],
  endpoint: string,
  concurrency: number,
  transport: AwsTransport = "sdk",
) {
  const batches = ceilingBatches(events);
  const loop = ceilingLoop(batches, endpoint, concurrency, transport);
  await loop.warmUp();
  const { ms } = await loop.run();
  loop.close();
  return { ...rate(events.length, ms), concurrency, calls: batches.length, transport };
}

/**
 * The same loop on `threads` worker threads, projects split between them and `concurrency` calls
 * in flight in all: the ceiling for a connector with as many delivery threads. Timed from the
 * moment every thread has warmed up to the last one's end.
 */
export async function snsCeilingThreads(
  events: readonly DomainEvent[],
  endpoint: string,
  concurrency: number,
  threads: number,
  transport: AwsTransport = "sdk",
) {
  const projects = [...new Set(events.map((e) => e.projectId))];
  const threadOf = new Map(projects.map((p, i) => [p, i % threads]));
  const workers = Array.from({ length: threads }, (_, t) => {
    return startWorker(path.join(__dirname, "sns-ceiling-thread.ts"), {
      workerData: {
        events: events.filter((e) => threadOf.get(e.projectId) === t),
        endpoint,
        concurrency: Math.ceil(concurrency / threads),
        transport,
      },
    });
  });
  const next = (worker: Worker) =>
    new Promise<unknown>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  await Promise.all(workers.map(next)); // warm
  const started = performance.now();
  const done = workers.map(next);
  for (const worker of workers) worker.postMessage("go");
  await Promise.all(done);
  const ms = performance.now() - started;
  await Promise.all(workers.map((w) => w.terminate()));
  return { ...rate(events.length, ms), concurrency, threads, transport };
}

/** Standard topics (not FIFO): the config the ceiling's entries are made for. */
const BENCH_TOPIC = {
  topicArn: "arn:aws:sns:us-east-1:123456789012:bench",
  roleArn: "arn:aws:iam::123456789012:role/bench",
};

export function ceilingBatches(events: readonly DomainEvent[]) {
  const byProject = new Map<string, DomainEvent[]>();
  for (const e of events) {
    const list = byProject.get(e.projectId);
    if (list) list.push(e);
    else byProject.set(e.projectId, [e]);
  }
  return [...byProject.values()].flatMap(
    (list) =>
      packEntries(
        list.map((e, i) => snsService.entry(outgoingMessage(e), String(i), BENCH_TOPIC)),
        snsService.limits,
      ).batches,
  );
}

/**
 * `concurrency` senders taking the next batch until none is left, through one stock SDK client or
 * the connector's lean request path (SignedRequests, the SNS sink's own encoder and decoder).
 */
export function ceilingLoop(
  batches: ReturnType<typeof ceilingBatches>,
  endpoint: string,
  concurrency: number,
  transport: AwsTransport = "sdk",
) {
  const client = snsClient(endpoint, concurrency);
  const lean = new SignedRequests();
  const credentials = async () => ({ accessKeyId: "bench", secretAccessKey: "bench" });
  const url = new URL(endpoint);
  const send = async (batch: (typeof batches)[number], i: number) => {
    const topicArn = `arn:aws:sns:us-east-1:123456789012:bench-${i % 1000}`;
    const entries = batch.map((m) => m.entry);
    if (transport === "sdk")
      return client.send(
        new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }),
      );
    const { headers, body } = snsService.lean.request(topicArn, entries);
    return snsService.lean.read(
      await lean.send({
        signerKey: "bench",
        service: "sns",
        region: "us-east-1",
        endpoint: url,
        credentials,
        headers,
        body,
      }),
    );
  };
  return {
    // Sockets and JIT; not measured.
    warmUp: async () => void (await Promise.all(batches.slice(0, 100).map(send))),
    run: async () => {
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < batches.length) {
            const i = next++;
            await send(batches[i] as (typeof batches)[number], i);
          }
        }),
      );
      return { ms: performance.now() - started };
    },
    close: () => {
      client.destroy();
      void lean.close();
    },
  };
}

/** The consumer a developer would write first: eachMessage → Publish → commit, for a bounded time. */
export async function naiveBaseline(
  kafka: Kafka,
  topics: string[],
  registryUrl: string,
  endpoint: string,
  topicArnOf: (projectId: string) => string,
  limits: { ms: number; events: number },
) {
  const decoder = createEventDecoder({ registryUrl });
  const client = snsClient(endpoint, 64);
  const consumer = kafka.consumer({ groupId: `bench-naive-${Date.now().toString(36)}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let published = 0;
  let started = 0;
  let stopping = false;
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      if (stopping) return;
      started ||= performance.now();
      const event = await decoder.decode(message.value, topic);
      await client.send(
        new PublishCommand({
          TopicArn: topicArnOf(event.projectId),
          Message: JSON.stringify(toDeliveredEvent(event)),
        }),
      );
      published++;
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    },
  });
  await waitFor(
    async () => published >= limits.events || (started > 0 && performance.now() - started >= limits.ms),
    limits.ms + 60_000,
  );
  stopping = true;
  const result = rate(published, performance.now() - started);
  await consumer.disconnect();
  client.destroy();
  return { ...result, limits };
}
