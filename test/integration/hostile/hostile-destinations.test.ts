import { randomUUID } from "node:crypto";
import { generateSecret } from "../../../connectors/sinks/https/signature";
import type { EventInput } from "../../../producers";
import { readToEnd } from "../../../src/kafka/read-to-end";
import { H, headerString } from "../../../src/retry";
import { delay, waitFor } from "../../../src/util/wait-for";
import { type ConnectorProcess, spawnConnector } from "../../../support/connector-process";
import {
  connectorLoopLag,
  freePort,
  HOSTILE_SCENARIOS,
  type HostileReceivers,
  startHostileReceivers,
} from "../../../support/hostile-destinations";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";

/**
 * A hostile tenant A controls everything its destination answers. Beside each of these answers, a
 * healthy tenant B on the same partition receives every event once, the connector's event loop
 * does not stall, and A's deliveries end in the retry path or the dead-letter topic.
 *
 * The connector is a process of its own (the hostile receivers live in this one), and its loop
 * delay is read from its own /metrics: prom-client's event-loop lag, reset at every scrape.
 *
 * The bounds are the loop's p99 under 300 ms and its worst under 1 s. Alone, this file measured a
 * p99 of 11–22 ms and a worst of 12–57 ms. In the full suite the connector shares two cores with
 * the broker, the registry and another suite's processes, which raised the p99 to about 55 ms and,
 * in one CI run, to 169 ms: the scheduler's doing, not a hostile answer's. What the bounds are there
 * to catch costs seconds on the loop: a pattern that backtracks on a long header, a 50 MB body read
 * and parsed, a bomb inflated.
 */
const EVENTS_A = 10;
const EVENTS_B = 30;
const LOOP_P99_MS = 300;
const LOOP_WORST_MS = 1_000;
const OBSERVE_MS = 2_000;

describe("hostile destinations beside a healthy tenant", () => {
  let pipeline: Pipeline;
  let receivers: HostileReceivers;
  let server: WebhookServer;
  let connector: ConnectorProcess;
  let opsUrl: string;
  const projectB = randomUUID();
  /** Each scenario's tenant A: its stream exists before the connector starts. */
  const tenants = new Map<string, { projectId: string; streamId: string; path: string }>();

  beforeAll(async () => {
    receivers = await startHostileReceivers();
    server = receivers.server;
    // One partition: every tenant's records share it, so a stall anywhere would show at B.
    pipeline = await createPipeline(1);
    await pipeline.addStream({
      projectId: projectB,
      type: "https",
      config: { httpsEndpoint: server.url("127.0.0.1", "/b"), secret: generateSecret() },
    });
    for (const scenario of HOSTILE_SCENARIOS) {
      const path = `/a/${randomUUID()}`;
      const endpoint = receivers.endpoint(scenario, path);
      const projectId = randomUUID();
      const stream = await pipeline.addStream({
        projectId,
        type: "https",
        config: { httpsEndpoint: endpoint, secret: generateSecret() },
      });
      tenants.set(scenario.name, { projectId, streamId: stream.id, path });
    }
    const opsPort = await freePort();
    opsUrl = `http://127.0.0.1:${opsPort}`;
    connector = spawnConnector({
      ...pipeline.env,
      ...trustedReceiverEnv(server),
      EVENTSTREAMS_OPS_PORT: String(opsPort),
      EVENTSTREAMS_RETRY_LADDER: "500ms,1s",
      EVENTSTREAMS_RETRY_JITTER: "none",
    });
    // Ready once it has read the stream configuration to its end and joined its group.
    await waitFor(async () => (await fetch(`${opsUrl}/readyz`).catch(() => undefined))?.ok, {
      timeoutMs: 60_000,
      description: () => `the connector ready\n${connector.output()}`,
    });
  }, 90_000);

  afterAll(async () => {
    connector?.child.kill("SIGKILL");
    await connector?.exited;
    await pipeline?.close();
    await receivers?.close();
  });

  const received = (path: string) =>
    server.requests.filter((r) => r.path === path).map((r) => String(r.headers["webhook-id"]));

  /** The stream's records in the retry tiers and the dead-letter topic. */
  async function failedRecords(streamId: string): Promise<number> {
    let count = 0;
    for (const topic of [
      pipeline.topics.retryTier("500ms"),
      pipeline.topics.retryTier("1s"),
      pipeline.topics.deadLetter,
    ]) {
      await readToEnd(pipeline.kafka, topic, (_p, m) => {
        // A dead letter names its stream in a header; a retry record in its retry header.
        const retry = headerString(m.headers, H.retry);
        const of =
          headerString(m.headers, H.streamId) ??
          (retry && (JSON.parse(retry) as { streamId?: string }).streamId);
        if (of === streamId) count++;
      });
    }
    return count;
  }

  it.each(HOSTILE_SCENARIOS)(
    "$name",
    async (scenario) => {
      const tenant = tenants.get(scenario.name) as { projectId: string; streamId: string; path: string };
      await connectorLoopLag(opsUrl); // the lag histogram starts afresh here
      const watchedFrom = Date.now();
      const before = new Set(received("/b"));
      const events = (name: string, projectId: string, count: number) =>
        Array.from({ length: count }, (_, i) => ({ name, projectId, eventAttributes: { seq: String(i) } }));
      // A's events first, so B's queue up behind them on the shared partition.
      await pipeline.publisher.publishMany(
        events("LoginSucceeded", tenant.projectId, EVENTS_A) as EventInput[],
      );
      const sentB = await pipeline.publisher.publishMany(
        events("IdentityCreated", projectB, EVENTS_B) as EventInput[],
      );

      const idsB = sentB.map((e) => e.id);
      await waitFor(() => idsB.every((id) => received("/b").includes(id)), {
        timeoutMs: 30_000,
        description: () =>
          `B's ${EVENTS_B} events (${idsB.filter((id) => received("/b").includes(id)).length} so far)`,
      });
      const atB = received("/b").filter((id) => !before.has(id));
      expect(atB.length).toBe(new Set(atB).size); // nothing re-read, nothing delivered twice
      expect(new Set(atB)).toEqual(new Set(idsB));

      // A's deliveries were tried, and went the retry path or to the dead-letter topic.
      const expected = scenario.pauses ? 1 : EVENTS_A;
      const failed = await waitFor(
        async () => {
          const n = await failedRecords(tenant.streamId);
          return n >= expected ? n : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 1_000, description: "A's deliveries in the retry path" },
      );
      expect(failed).toBeGreaterThanOrEqual(expected);
      if (scenario.pauses) {
        await waitFor(() => pipeline.streams.get(tenant.streamId)?.status === "paused", {
          timeoutMs: 10_000,
          description: "A's stream paused by its 410",
        });
      }
      expect(received(tenant.path).filter((id) => idsB.includes(id))).toEqual([]);
      // A long answer is not read to its end: the connector hangs up (what the socket buffers
      // took before then is all the receiver could write).
      if (scenario.mostWritten) expect(scenario.mostWritten()).toBeLessThan(20 * 2 ** 20);
      // An observation window (not a readiness wait): at least 2 s of samples, so that the p99 of
      // a quick scenario is not just its one worst sample.
      await delay(Math.max(0, OBSERVE_MS - (Date.now() - watchedFrom)));
      const lag = await connectorLoopLag(opsUrl);
      process.stdout.write(
        `hostile destination "${scenario.name}": B ${atB.length}/${EVENTS_B}, connector loop p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms\n`,
      );
      expect(lag.p99).toBeLessThan(LOOP_P99_MS);
      expect(lag.max).toBeLessThan(LOOP_WORST_MS);
    },
    120_000,
  );

  it("never delivered to B what it owed A, nor to A what it owed B", () => {
    const atA = new Set(
      server.requests.filter((r) => r.path.startsWith("/a/")).map((r) => r.headers["webhook-id"]),
    );
    const atB = server.requests.filter((r) => r.path === "/b").map((r) => r.headers["webhook-id"]);
    expect(atB.length).toBeGreaterThan(0);
    expect(atB.filter((id) => atA.has(id))).toEqual([]);
  });
});
