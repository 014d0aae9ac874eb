/**
 * Latency in the loop (issue 24): the connector against destinations a round trip away. The fake
 * SNS holds each answer 20 ms (plus up to 2 ms of jitter) and, for one row, throttles past 200
 * requests a second; the HTTPS receiver holds its answers the same. One connector process, one
 * row after another, each on streams of its own:
 * - one stream of each kind (SNS standard, SNS FIFO, HTTPS one event a request, HTTPS batched),
 *   a backlog drained: events a second, and the calls in flight the stream settled at;
 * - 1,000 SNS streams, the same backlog size on loopback and at 20 ms;
 * - one SNS stream whose destination throttles: the share of its allowance used, how soon it was
 *   used, and that nothing was dead-lettered.
 * Usage: npm run bench:e2e -- --network-only [--events N] [--streams-events N]
 */
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { generateSecret } from "../../connectors/sinks/https/signature";
import type { EventStream } from "../../src/streams/event-stream";
import { freePort } from "../../support/hostile-destinations";
import { createPipeline, type Pipeline } from "../../support/pipeline";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../support/webhook-server";
import { round } from "../producer/stats";
import { type FakeSns, spawnConnector, startFakeSns, waitFor } from "./processes";

export interface NetworkRow {
  row: string;
  /** The destination's round trip, as the fake holds it. */
  delay: string;
  events: number;
  eventsPerSecond: number;
  /** Calls in flight of the row's sink type, sampled every 250 ms over the row's second half. */
  inFlight: { median: number; max: number };
  target?: string;
  [extra: string]: unknown;
}

const DELAY = { delayMs: 20, jitterMs: 2 };
const delayText = "20 ms + up to 2 ms jitter";

export async function runNetworkBench(options: {
  stackEnv: Record<string, string>;
  resultsDir: string;
  events: number;
  streamsEvents: number;
  say(line: string): void;
}): Promise<{ rows: NetworkRow[]; loopbackStreams: NetworkRow }> {
  const { say } = options;
  const fake = await startFakeSns();
  const receiver = await startWebhookServer();
  receiver.keepRequests = false;
  const https = httpsCounter(receiver);
  const pipeline = await createPipeline(6);
  try {
    const one = await singleStreams(pipeline, receiver);
    const many = await manyStreams(pipeline, 1_000);
    const opsPort = await freePort();
    const env = {
      ...options.stackEnv,
      ...pipeline.env,
      ...trustedReceiverEnv(receiver),
      AWS_ENDPOINT_URL_SNS: fake.url,
      EVENTSTREAMS_OPS_PORT: String(opsPort),
    };
    // One connector for every row, warm: its group joined, credentials and connections made.
    const connector = spawnConnector(env, path.join(options.resultsDir, `${pipeline.prefix}-network.log`));
    const metrics = `http://127.0.0.1:${opsPort}/metrics`;
    const rows: NetworkRow[] = [];
    const drainRow = (row: Row) => drain(pipeline, fake, https, metrics, row);
    try {
      // Warm-up on loopback: the group's assignment, each stream's credentials, the receiver's
      // connections; not measured.
      await fake.network({});
      await drainRow({ projects: [one.warm], events: 200, sink: "sns" });
      await drainRow({ projects: [one.httpsWarm], events: 400, sink: "https" });

      await fake.network(DELAY);
      for (const [row, project, sink, events] of [
        ["one SNS standard stream", one.standard, "sns", options.events],
        ["one SNS FIFO stream", one.fifo, "sns", Math.round(options.events / 8)],
        ["one HTTPS stream, an event a request", one.httpsSingle, "https", Math.round(options.events / 2)],
        ["one HTTPS stream, batch_size 50", one.httpsBatched, "https", options.events],
      ] as const) {
        say(`network: ${row} at ${delayText}, ${events} events`);
        const measured = await drainRow({
          projects: [project],
          events,
          sink,
        });
        rows.push({ row, delay: delayText, events, ...measured, ...targetOf(row, measured.eventsPerSecond) });
        say(
          `network: ${row}: ${measured.eventsPerSecond} events/s, in flight ${JSON.stringify(measured.inFlight)}`,
        );
      }

      await fake.network({});
      say(`network: 1,000 SNS streams on loopback, ${options.streamsEvents} events`);
      const loop = await drainRow({
        projects: many,
        events: options.streamsEvents,
        sink: "sns",
      });
      const loopbackStreams: NetworkRow = {
        row: "1,000 SNS streams",
        delay: "loopback",
        events: options.streamsEvents,
        ...loop,
      };
      say(`network: on loopback ${loop.eventsPerSecond} events/s`);
      await fake.network(DELAY);
      say(`network: 1,000 SNS streams at ${delayText}`);
      const far = await drainRow({
        projects: many,
        events: options.streamsEvents,
        sink: "sns",
      });
      const ofLoopback = round(far.eventsPerSecond / loop.eventsPerSecond, 2);
      rows.push({
        row: "1,000 SNS streams",
        delay: delayText,
        events: options.streamsEvents,
        ...far,
        ofLoopback,
        target: `>= 0.8 of loopback (${loop.eventsPerSecond} events/s): ${ofLoopback >= 0.8 ? "met" : "not met"}`,
      });
      say(`network: at 20 ms ${far.eventsPerSecond} events/s, ${ofLoopback} of loopback`);

      rows.push(await throttledRow(pipeline, fake, drainRow, one.throttled, options.events / 2, say));
      return { rows, loopbackStreams };
    } finally {
      await connector.stop();
    }
  } finally {
    fake.stop();
    await receiver.close();
    await pipeline.close();
  }
}

function targetOf(row: string, eventsPerSecond: number): { target?: string } {
  const goal =
    row === "one SNS standard stream" ? 4_000 : row.includes("an event a request") ? 2_000 : undefined;
  return goal ? { target: `>= ${goal} events/s: ${eventsPerSecond >= goal ? "met" : "not met"}` } : {};
}

/** The single-stream rows' projects, each with one stream. */
async function singleStreams(pipeline: Pipeline, receiver: WebhookServer) {
  const sns = async (topic: string) => {
    const stream = await pipeline.addStream({
      projectId: crypto.randomUUID(),
      type: "sns",
      config: {
        topicArn: `arn:aws:sns:us-east-1:123456789012:${topic}`,
        roleArn: "arn:aws:iam::123456789012:role/bench-network",
      },
    });
    return stream.projectId;
  };
  const httpsStream = async (batchSize?: number) => {
    const projectId = crypto.randomUUID();
    await pipeline.addStream({
      projectId,
      type: "https",
      config: {
        httpsEndpoint: receiver.url("127.0.0.1", `/${projectId}`),
        secret: generateSecret(),
        ...(batchSize ? { batchSize } : {}),
      },
    });
    return projectId;
  };
  return {
    warm: await sns("network-warm"),
    httpsWarm: await httpsStream(),
    standard: await sns("network-standard"),
    fifo: await sns("network-ordered.fifo"),
    httpsSingle: await httpsStream(),
    httpsBatched: await httpsStream(50),
    throttled: await sns("network-throttled"),
  };
}

async function manyStreams(pipeline: Pipeline, count: number): Promise<string[]> {
  const projects: string[] = [];
  for (let i = 0; i < count; i += 100) {
    const made = await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, (_, j) =>
        pipeline.addStream({
          projectId: crypto.randomUUID(),
          type: "sns",
          config: {
            topicArn: `arn:aws:sns:us-east-1:123456789012:network-many-${i + j}`,
            roleArn: `arn:aws:iam::123456789012:role/network-many-${i + j}`,
          },
        }),
      ),
    );
    projects.push(...made.map((s: EventStream) => s.projectId));
  }
  return projects;
}

/** Unique events the HTTPS receiver got, since `reset`, with the first and last receipt. */
function httpsCounter(receiver: WebhookServer) {
  const state = { ids: new Set<string>(), first: 0, last: 0, events: 0 };
  receiver.reply = (request) => {
    const id = String(request.headers["webhook-id"] ?? "");
    if (!state.ids.has(id)) {
      state.ids.add(id);
      const batch = /^batch_.+_(\d+)$/.exec(id);
      state.events += batch ? Number(batch[1]) : 1;
      state.first ||= request.at;
      state.last = request.at;
    }
    // A round trip away: the answer comes after the fake's delay.
    return {
      status: 204,
      act: (res) => {
        setTimeout(() => res.writeHead(204).end(), DELAY.delayMs + Math.random() * DELAY.jitterMs);
      },
    };
  };
  return {
    reset: () => {
      state.ids.clear();
      state.first = state.last = state.events = 0;
    },
    stats: () => ({ unique: state.events, first: state.first, last: state.last }),
  };
}

type HttpsCounter = ReturnType<typeof httpsCounter>;

interface Row {
  projects: readonly string[];
  events: number;
  sink: "sns" | "https";
}

type Drained = { eventsPerSecond: number; inFlight: { median: number; max: number } };

/**
 * Publishes `events` over `projects` (faster than any row delivers them, so a backlog builds) and
 * waits until the destination has them all: events a second from the first arrival to the last.
 */
async function drain(
  pipeline: Pipeline,
  fake: FakeSns,
  https: HttpsCounter,
  metricsUrl: string,
  row: Row,
): Promise<Drained> {
  await fake.reset();
  https.reset();
  const stats = async () => (row.sink === "sns" ? await fake.stats() : https.stats());
  const samples: { at: number; inFlight: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const text = await fetch(metricsUrl)
        .then((r) => r.text())
        .catch(() => "");
      const match = new RegExp(
        `^eventstreams_stream_calls_in_flight\\{sink="${row.sink}"\\} (\\d+)`,
        "m",
      ).exec(text);
      if (match) samples.push({ at: Date.now(), inFlight: Number(match[1]) });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  // In sends of 500, as a busy service's producer batches them: a record batch of thousands of
  // events would be fetched whole again for each part of it the connector's window takes.
  for (let i = 0; i < row.events; i += 500) {
    await pipeline.publisher.publishMany(
      Array.from({ length: Math.min(500, row.events - i) }, (_, k) => ({
        name: "LoginSucceeded" as const,
        projectId: row.projects[(i + k) % row.projects.length] as string,
      })),
    );
  }
  const done = await waitFor(async () => (await stats()).unique >= row.events, 600_000, 200);
  sampling = false;
  await sampler;
  if (!done) throw new Error(`the row's ${row.events} events did not all arrive (${(await stats()).unique})`);
  const { first, last } = await stats();
  // The second half of the drain: where the stream's calls in flight had settled.
  const half = samples.filter((s) => s.at >= (first + last) / 2 && s.at <= last).map((s) => s.inFlight);
  const sorted = [...half].sort((a, b) => a - b);
  return {
    eventsPerSecond: Math.round(row.events / Math.max(0.001, (last - first) / 1000)),
    inFlight: { median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 },
  };
}

async function throttledRow(
  pipeline: Pipeline,
  fake: FakeSns,
  drainRow: (row: Row) => Promise<Drained>,
  projectId: string,
  events: number,
  say: (line: string) => void,
): Promise<NetworkRow> {
  const allowance = 200;
  say(`network: one SNS stream throttled past ${allowance} requests/s at ${delayText}, ${events} events`);
  await fake.network({ ...DELAY, throttleRps: allowance });
  const measured = await drainRow({
    projects: [projectId],
    events,
    sink: "sns",
  });
  const accepted = await fake.accepted();
  const { throttled } = await fake.stats();
  await fake.network({});
  // Whole seconds of the main drain (the first and last are partial; events the retry path brings
  // back later, after a gap, are not its): the share of the allowance used.
  const gap = accepted.findIndex(([second], i) => i > 0 && second !== (accepted[i - 1]?.[0] ?? 0) + 1);
  const seconds = accepted.slice(1, gap < 0 ? -1 : gap - 1).map(([, n]) => n);
  const used = seconds.length > 0 ? seconds.reduce((a, b) => a + b, 0) / seconds.length / allowance : 0;
  // How soon: the first second from which three in a row used at least 90% of it.
  const settledSecond = accepted.findIndex(
    (_, i) =>
      accepted.slice(i, i + 3).length === 3 &&
      accepted.slice(i, i + 3).every(([, n]) => n >= allowance * 0.9),
  );
  const deadLettered = await deadLetters(pipeline.kafka, pipeline.topics.deadLetter);
  const row: NetworkRow = {
    row: `one SNS stream throttled past ${allowance} requests/s`,
    delay: delayText,
    events,
    ...measured,
    allowanceUsed: round(used, 2),
    settledAfterSeconds: settledSecond < 0 ? null : (accepted[settledSecond]?.[0] ?? null),
    throttledRequests: throttled,
    deadLettered,
    target: `>= 0.9 of the allowance, nothing dead-lettered: ${used >= 0.9 && deadLettered === 0 ? "met" : "not met"}`,
  };
  say(`network: throttled: ${JSON.stringify(row)}`);
  return row;
}

async function deadLetters(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}
