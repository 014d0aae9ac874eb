/**
 * A minimal SNS-compatible endpoint (AWS Query protocol) for the end-to-end benchmark: answers
 * `Publish` and `PublishBatch` as SNS does, and counts what it receives, so the emulator's own speed
 * does not hide the connector's. Runs as its own process (`tsx bench/e2e/fake-sns.ts`, prints its
 * port) so it never competes with the process it measures for one event loop.
 *
 * Control routes, loopback only: GET /__stats (counts), GET /__latencies (ms per unique event
 * published since the last reset: a backlog from before it is counted, not timed), GET /__timeline
 * (the same per second of receipt: events, p50, p99, max), GET /__arrivals (receipt time of each
 * unique event, and of each topic's first message), POST /__reset.
 *
 * Real destinations are a round trip away: `POST /__network?delayMs=20&jitterMs=2&throttleRps=200`
 * holds every answer delayMs plus up to jitterMs, and answers `Throttling` to the requests of each
 * second past throttleRps (0: none), as SNS does past a topic's rate (issue 24). It stays so until
 * changed; /__stats counts the throttled requests and /__accepted gives accepted requests per second.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";

let messages = 0;
let requests = 0;
/** Requests by entries carried: [n] = PublishBatch calls with n entries (Publish counts as 1). */
let batchSizes: number[] = [];
let seen = new Set<string>();
let latencies: number[] = [];
/** Receipt time of each entry of `latencies`, for the per-second timeline. */
let receivedAt: number[] = [];
/** Receipt time of every unique event since the reset, timed or not. */
let uniqueAt: number[] = [];
/** First receipt per topic ARN: when that stream's credentials were in hand. */
let topicFirst = new Map<string, number>();
let resetAt = 0;
const network = { delayMs: 0, jitterMs: 0, throttleRps: 0 };
let throttled = 0;
/** Accepted (not throttled) requests per second since the reset. */
let acceptedPerSecond = new Map<number, number>();
let throttleSecond = 0;
let throttleCount = 0;
let first = 0;
let last = 0;

/** One received message: count it, and keep (receipt − event timestamp) once per event id. */
function record(topicArn: string, body: string, now: number): void {
  messages++;
  if (!topicFirst.has(topicArn)) topicFirst.set(topicArn, now);
  if (first === 0) first = now;
  last = now;
  try {
    const event = JSON.parse(body) as { id?: string; timestamp?: string };
    if (!event.id || seen.has(event.id)) return;
    seen.add(event.id);
    uniqueAt.push(now);
    const published = event.timestamp ? Date.parse(event.timestamp) : Number.NaN;
    if (published >= resetAt) {
      latencies.push(now - published);
      receivedAt.push(now);
    }
  } catch {
    // Not an event (a verification message or free text): counted, no latency.
  }
}

/** Per second of receipt since the reset: events timed, and their p50/p99/max latency. */
function timeline() {
  const seconds = new Map<number, number[]>();
  latencies.forEach((ms, i) => {
    const second = Math.floor(((receivedAt[i] as number) - resetAt) / 1000);
    const bucket = seconds.get(second) ?? [];
    bucket.push(ms);
    seconds.set(second, bucket);
  });
  const at = (sorted: number[], q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  return [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return {
        second,
        events: sorted.length,
        p50: at(sorted, 0.5),
        p99: at(sorted, 0.99),
        max: sorted[sorted.length - 1],
      };
    });
}

function reply(res: ServerResponse, status: number, xml: string): void {
  const send = () => {
    res.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml) });
    res.end(xml);
  };
  const holdMs = network.delayMs + Math.random() * network.jitterMs;
  if (holdMs > 0) setTimeout(send, holdMs);
  else send();
}

/** Whether this request is one too many for its second (throttleRps). */
function overRate(now: number): boolean {
  if (network.throttleRps <= 0) return false;
  const second = Math.floor(now / 1000);
  if (second !== throttleSecond) {
    throttleSecond = second;
    throttleCount = 0;
  }
  return ++throttleCount > network.throttleRps;
}

const metadata = () => `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;

function answer(form: URLSearchParams, res: ServerResponse): void {
  const now = Date.now();
  requests++;
  const action = form.get("Action");
  const topicArn = form.get("TopicArn") ?? "";
  if (overRate(now)) {
    throttled++;
    reply(
      res,
      400,
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>${metadata()}</ErrorResponse>`,
    );
    return;
  }
  const second = Math.floor((now - resetAt) / 1000);
  acceptedPerSecond.set(second, (acceptedPerSecond.get(second) ?? 0) + 1);
  if (action === "Publish") {
    batchSizes[1] = (batchSizes[1] ?? 0) + 1;
    record(topicArn, form.get("Message") ?? "", now);
    reply(
      res,
      200,
      `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>${metadata()}</PublishResponse>`,
    );
    return;
  }
  if (action === "PublishBatch") {
    let ok = "";
    let entries = 0;
    for (let n = 1; ; n++) {
      const id = form.get(`PublishBatchRequestEntries.member.${n}.Id`);
      if (id === null) break;
      entries = n;
      record(topicArn, form.get(`PublishBatchRequestEntries.member.${n}.Message`) ?? "", now);
      ok += `<member><Id>${id}</Id><MessageId>${randomUUID()}</MessageId></member>`;
    }
    batchSizes[entries] = (batchSizes[entries] ?? 0) + 1;
    reply(
      res,
      200,
      `<PublishBatchResponse xmlns="${XMLNS}"><PublishBatchResult><Successful>${ok}</Successful><Failed/></PublishBatchResult>${metadata()}</PublishBatchResponse>`,
    );
    return;
  }
  reply(
    res,
    400,
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${action} is not supported here</Message></Error>${metadata()}</ErrorResponse>`,
  );
}

function control(req: IncomingMessage, res: ServerResponse): void {
  const json = (value: unknown) => {
    const text = JSON.stringify(value);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(text);
  };
  if (req.url === "/__stats") {
    json({
      messages,
      requests,
      unique: seen.size,
      timed: latencies.length,
      first,
      last,
      throttled,
      batchSizes: Array.from(batchSizes, (n) => n ?? 0),
    });
    return;
  }
  if (req.url === "/__latencies") {
    json(latencies);
    return;
  }
  if (req.url === "/__timeline") {
    json(timeline());
    return;
  }
  if (req.url === "/__arrivals") {
    json({ uniqueAt, topicFirst: [...topicFirst.values()] });
    return;
  }
  if (req.url === "/__accepted") {
    json([...acceptedPerSecond.entries()].sort(([a], [b]) => a - b));
    return;
  }
  if (req.url?.startsWith("/__network")) {
    const query = new URL(req.url, "http://fake").searchParams;
    for (const key of ["delayMs", "jitterMs", "throttleRps"] as const)
      network[key] = Math.max(0, Number(query.get(key) ?? 0) || 0);
    json(network);
    return;
  }
  if (req.url === "/__reset") {
    messages = requests = first = last = throttled = 0;
    acceptedPerSecond = new Map();
    batchSizes = [];
    seen = new Set();
    latencies = [];
    receivedAt = [];
    uniqueAt = [];
    topicFirst = new Map();
    resetAt = Date.now();
    json({ ok: true });
    return;
  }
  res.writeHead(404).end();
}

const server = createServer((req, res) => {
  if (req.url?.startsWith("/__")) return control(req, res);
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => answer(new URLSearchParams(Buffer.concat(chunks).toString("utf8")), res));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`${typeof address === "object" && address ? address.port : 0}\n`);
});
// Ends with its parent: the benchmark never leaves it behind.
process.on("disconnect", () => process.exit(0));
setInterval(() => {
  if (process.ppid === 1) process.exit(0);
}, 1_000).unref();
