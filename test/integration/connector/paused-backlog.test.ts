import { randomUUID } from "node:crypto";
import { createEventDecoder } from "../../../src/codec/event-decoder";
import { readToEnd } from "../../../src/kafka/read-to-end";
import { readRetryRecord } from "../../../src/retry";
import { domainTopic } from "../../../src/topics/domain-topics";
import { delay, waitFor } from "../../../src/util/wait-for";
import { type ConnectorProcess, spawnConnector } from "../../../support/connector-process";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { stackFromEnv } from "../../../support/stack-env";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";
import { startTestApi, type TestApi } from "../../support/api";
import { createPublisherRole, createTopicWithQueue } from "../../support/aws-fixtures";
import { receiveMessages } from "../../support/sqs";

/**
 * A paused stream keeps its events: they stay in the domain topics, and resuming delivers them
 * (the catch-up) before and beside the live ones, through a connector killed on the way.
 */
describe("a paused stream's backlog", () => {
  let pipeline: Pipeline;
  let server: WebhookServer;
  let api: TestApi;
  let env: Record<string, string>;
  const processes: ConnectorProcess[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startWebhookServer();
    pipeline = await createPipeline(3);
    env = {
      ...pipeline.env,
      ...trustedReceiverEnv(server),
      EVENTSTREAMS_CATCH_UP_RATE: "150",
      // A short ladder, so a retry's steps come and go within a test.
      EVENTSTREAMS_RETRY_LADDER: "300ms,600ms,1200ms",
    };
    // The API reads the connector's group (where a pause looks up how far events were handled).
    Object.assign(process.env, env);
    api = await startTestApi({ topic: pipeline.topics.config });
  });

  afterAll(async () => {
    for (const p of processes) {
      p.child.kill("SIGKILL");
      await p.exited;
    }
    await api?.close();
    await pipeline?.close();
    await server?.close();
    process.env = saved;
  });

  const start = () => {
    const connector = spawnConnector(env);
    processes.push(connector);
    return connector;
  };
  const received = (path: string) =>
    new Set(server.requests.filter((r) => r.path === path).map((r) => String(r.headers["webhook-id"])));

  it("delivers the events that arrived while paused after resume, then the live ones, through a SIGKILL", async () => {
    const projectId = randomUUID();
    const path = `/${projectId}`;
    const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: { type: "https", https_endpoint: server.url("127.0.0.1", path) },
    });
    expect(created.status).toBe(201);
    const streamPath = `/projects/${projectId}/eventstreams/${created.body.id}`;
    let connector = start();

    const before = await pipeline.publisher.publishMany(
      Array.from({ length: 20 }, () => ({ name: "LoginSucceeded" as const, projectId })),
    );
    await waitFor(() => before.every((e) => received(path).has(e.id)), {
      timeoutMs: 60_000,
      description: () => `the live events before the pause (${received(path).size})\n${connector.output()}`,
    });

    const paused = await api.call("PATCH", streamPath, { body: { status: "paused" } });
    expect(paused.status).toBe(200);
    expect(paused.body.backlog.from).toEqual(expect.any(Object));
    const whilePaused = await pipeline.publisher.publishMany(
      Array.from({ length: 500 }, (_, i) => ({
        name: "LoginSucceeded" as const,
        projectId,
        eventAttributes: { n: String(i) },
      })),
    );

    // While paused, the stream shows what it keeps: the connector counts it as it reads.
    const waiting = await waitFor(
      async () => {
        const { body } = await api.call("GET", streamPath);
        return body.backlog.waiting?.events === whilePaused.length ? body.backlog.waiting : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: () => `the backlog counted\n${connector.output()}` },
    );
    const oldest = Date.parse(waiting.oldest_event_at);
    expect(oldest).toBeGreaterThanOrEqual(whilePaused[0]?.timestamp.getTime() ?? 0);
    expect(Date.parse(waiting.oldest_expires_at) - oldest).toBe(7 * 24 * 3_600_000);

    const resumed = await api.call("PATCH", streamPath, { body: { status: "active" } });
    expect(resumed.status).toBe(200);
    expect(resumed.body.backlog.to).toEqual(expect.any(Object));
    expect(resumed.body.backlog.waiting).toBeUndefined();
    // Part of the backlog, at 150 events a second: then the connector dies mid-catch-up.
    await waitFor(() => whilePaused.filter((e) => received(path).has(e.id)).length >= 100, {
      timeoutMs: 60_000,
      description: () => `the catch-up under way (${received(path).size})\n${connector.output()}`,
    });
    connector.child.kill("SIGKILL");
    await connector.exited;
    connector = start();
    const after = await pipeline.publisher.publishMany(
      Array.from({ length: 20 }, () => ({ name: "LoginSucceeded" as const, projectId })),
    );

    await waitFor(() => [...whilePaused, ...after].every((e) => received(path).has(e.id)), {
      timeoutMs: 90_000,
      description: () =>
        `every event of the backlog and after (${whilePaused.filter((e) => received(path).has(e.id)).length} of 500 held, ${after.filter((e) => received(path).has(e.id)).length} of 20 live)\n${connector.output()}`,
    });
    // The catch-up says it is done, for every topic of the backlog.
    const progress = await waitFor(
      () => {
        const topics = pipeline.streams.catchUpOf(created.body.id);
        // One record per domain topic of the backlog (three) and the parked topic, each done.
        return topics.size === 4 && [...topics.values()].every((p) => p.done) ? topics : undefined;
      },
      { timeoutMs: 20_000, description: "the catch-up recorded done" },
    );
    expect([...progress.values()].reduce((n, p) => n + p.delivered, 0)).toBeGreaterThanOrEqual(500);
    // And the API shows it.
    const shown = await waitFor(
      async () => {
        const { body } = await api.call("GET", streamPath);
        return Object.values(body.catch_up ?? {}).every((t) => (t as { done: boolean }).done)
          ? body.catch_up
          : undefined;
      },
      { timeoutMs: 10_000, description: "the API showing the catch-up done" },
    );
    expect(Object.keys(shown)).toHaveLength(4);
  }, 180_000);

  it("on a FIFO topic, delivers the backlog before anything newer, in order, through a SIGKILL", async () => {
    const projectId = randomUUID();
    const fifo = await createTopicWithQueue({ fifo: true });
    const roleArn = await createPublisherRole(projectId, fifo.topicArn);
    const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: { type: "sns", topic_arn: fifo.topicArn, role_arn: roleArn },
    });
    expect(created.status).toBe(201);
    const streamPath = `/projects/${projectId}/eventstreams/${created.body.id}`;
    const published: string[] = [];
    const publish = async (count: number) => {
      const events = await pipeline.publisher.publishMany(
        Array.from({ length: count }, () => ({ name: "LoginSucceeded" as const, projectId })),
      );
      published.push(...events.map((e) => e.id));
    };
    const arrived: string[] = [];
    const receive = (count: number) =>
      receiveMessages(fifo.queueUrl, count, 90_000).then((messages) => {
        // The destination is verified on create and on resume: those messages are not events.
        const bodies = messages.map((m) => JSON.parse(m.Body ?? "{}") as { id?: string; name: string });
        arrived.push(
          ...bodies.filter((b) => b.name !== "EventStreamVerification").map((b) => b.id as string),
        );
      });
    let connector = start();
    await publish(10);
    await receive(11);

    expect((await api.call("PATCH", streamPath, { body: { status: "paused" } })).status).toBe(200);
    await publish(300);
    const resumed = await api.call("PATCH", streamPath, { body: { status: "active" } });
    expect(resumed.body.backlog.in_order).toBe(true);
    // Live events arrive all through the catch-up (150 events a second) and its hand-over.
    for (let i = 0; i < 5; i++) await publish(20);
    await receive(100);
    connector.child.kill("SIGKILL");
    await connector.exited;
    connector = start();
    for (let i = 0; i < 5; i++) await publish(20);

    // Every event, each first seen in the order it was published: the backlog before the newer ones.
    await waitFor(
      async () => {
        await receive(0);
        return new Set(arrived).size >= published.length;
      },
      {
        timeoutMs: 120_000,
        description: () =>
          `all ${published.length} events on the FIFO queue (${new Set(arrived).size})\n${connector.output()}`,
      },
    );
    const firstSeen = [...new Set(arrived)];
    expect(new Set(firstSeen)).toEqual(new Set(published));
    // What resuming promises a FIFO destination: the events from before the resume (the first 10
    // and the 300 kept while paused) first, each first seen in the order published, before any newer.
    const kept = published.slice(0, 310);
    expect(firstSeen.slice(0, 310)).toEqual(kept);
    // The newer ones came after the kill too; right after it two members of the group can send
    // them at once (docs/guarantees.md), so their order among themselves is not asserted here.
  }, 240_000);

  it("parks a paused stream's retries once and delivers them on resume before the newer backlog", async () => {
    const projectId = randomUUID();
    const path = `/${projectId}`;
    let down = true;
    const answer = server.reply;
    server.reply = (request) => (request.path === path && down ? { status: 503 } : answer(request));
    try {
      const created = await api.call("POST", `/projects/${projectId}/eventstreams?verify=false`, {
        body: { type: "https", https_endpoint: server.url("127.0.0.1", path) },
      });
      expect(created.status).toBe(201);
      const streamPath = `/projects/${projectId}/eventstreams/${created.body.id}`;
      const connector = start();
      const failing = await pipeline.publisher.publishMany(
        Array.from({ length: 5 }, () => ({ name: "LoginSucceeded" as const, projectId })),
      );
      const attempts = (id: string) =>
        server.requests.filter((r) => r.path === path && r.headers["webhook-id"] === id).length;
      await waitFor(() => failing.every((e) => attempts(e.id) >= 2), {
        timeoutMs: 60_000,
        description: () => `failing events on the retry ladder\n${connector.output()}`,
      });
      expect((await api.call("PATCH", streamPath, { body: { status: "paused" } })).status).toBe(200);
      const parked = () => parkedIdsOf(pipeline, created.body.id);
      await waitFor(async () => (await parked()).length >= failing.length, {
        timeoutMs: 30_000,
        description: () => `the retries parked\n${connector.output()}`,
      });
      const backlog = await pipeline.publisher.publishMany(
        Array.from({ length: 10 }, () => ({ name: "LoginSucceeded" as const, projectId })),
      );
      // An observation window of more than the whole ladder (not a readiness wait): a retry put
      // back on its step every step's delay would be written again, and tried, meanwhile.
      const requestsAtPark = server.requests.length;
      await delay(3_000);
      expect((await parked()).sort()).toEqual(failing.map((e) => e.id).sort());
      expect(server.requests.slice(requestsAtPark).filter((r) => r.path === path)).toHaveLength(0);

      down = false;
      expect((await api.call("PATCH", streamPath, { body: { status: "active" } })).status).toBe(200);
      const afterResume = () =>
        server.requests
          .slice(requestsAtPark)
          .filter((r) => r.path === path)
          .map((r) => String(r.headers["webhook-id"]));
      await waitFor(() => [...failing, ...backlog].every((e) => afterResume().includes(e.id)), {
        timeoutMs: 60_000,
        description: () =>
          `the parked retries and the backlog (${afterResume().length})\n${connector.output()}`,
      });
      // The parked ones (older) arrive before anything of the backlog.
      const ids = afterResume();
      const lastParked = Math.max(...failing.map((e) => ids.lastIndexOf(e.id)));
      const firstBacklog = Math.min(...backlog.map((e) => ids.indexOf(e.id)));
      expect(lastParked).toBeLessThan(firstBacklog);
    } finally {
      server.reply = answer;
    }
  }, 120_000);

  it("replays a time window again, refuses one older than what is kept, and keeps one replay at a time", async () => {
    const projectId = randomUUID();
    const path = `/${projectId}`;
    const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: { type: "https", https_endpoint: server.url("127.0.0.1", path), event_types: ["Login*"] },
    });
    expect(created.status).toBe(201);
    const streamPath = `/projects/${projectId}/eventstreams/${created.body.id}`;
    const connector = start();
    const since = new Date();
    const events = await pipeline.publisher.publishMany(
      Array.from({ length: 30 }, (_, i) => ({
        name: i % 3 === 0 ? ("SessionIssued" as const) : ("LoginSucceeded" as const),
        projectId,
      })),
    );
    const matching = events.filter((e) => e.name === "LoginSucceeded");
    const deliveries = (id: string) =>
      server.requests.filter((r) => r.path === path && r.headers["webhook-id"] === id).length;
    await waitFor(() => matching.every((e) => deliveries(e.id) >= 1), {
      timeoutMs: 60_000,
      description: () => `the live deliveries\n${connector.output()}`,
    });

    const replays = `${streamPath}/replays`;
    const slow = await api.call("POST", replays, {
      body: { id: "slow", since: since.toISOString(), rate: 1 },
    });
    expect(slow.status).toBe(201);
    expect(slow.body).toMatchObject({ id: "slow", done: false, cancelled_at: null });
    expect(slow.body.progress).toBeLessThan(1);
    // The same id again is the same replay; another while it runs is refused; cancelling ends it.
    expect(
      (await api.call("POST", replays, { body: { id: "slow", since: since.toISOString() } })).status,
    ).toBe(200);
    const busy = await api.call("POST", replays, { body: { since: since.toISOString() } });
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe("replay_in_progress");
    const cancelled = await api.call("DELETE", `${replays}/slow`);
    expect(cancelled.body.cancelled_at).toEqual(expect.any(String));

    const asked = await api.call("POST", replays, {
      body: { id: "again", since: since.toISOString(), rate: 200 },
    });
    expect(asked.status).toBe(201);
    const done = await waitFor(
      async () => {
        const { body } = await api.call("GET", `${replays}/again`);
        return body.done ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: () => `the replay done\n${connector.output()}` },
    );
    expect(done).toMatchObject({
      found: matching.length,
      delivered: matching.length,
      failed: 0,
      progress: 1,
    });
    // Every event of the window that the filter takes arrived again; the others never.
    await waitFor(() => matching.every((e) => deliveries(e.id) >= 2), {
      timeoutMs: 10_000,
      description: "replayed",
    });
    expect(events.filter((e) => e.name === "SessionIssued").every((e) => deliveries(e.id) === 0)).toBe(true);

    // Records the topic no longer keeps: a replay from before the oldest is refused, naming it.
    const kept = (await api.call("GET", streamPath)).body.replay.from as Record<
      string,
      { partition: number }
    >;
    const [topic, { partition }] = Object.entries(kept).find(([t]) => t.endsWith(".identities.events")) as [
      string,
      { partition: number },
    ];
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: "5" }] });
    } finally {
      await admin.disconnect();
    }
    const refused = await api.call("POST", replays, { body: { since: "2020-01-01T00:00:00Z" } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(
      /older than the events still kept: the oldest is from 20\d\d-/,
    );
  }, 120_000);

  it("keeps the events of a stream the connector paused on a 410, and delivers them after resume", async () => {
    const projectId = randomUUID();
    const path = `/${projectId}`;
    let gone = false;
    const answer = server.reply;
    server.reply = (request) => (request.path === path && gone ? { status: 410 } : answer(request));
    try {
      const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
        body: { type: "https", https_endpoint: server.url("127.0.0.1", path) },
      });
      expect(created.status).toBe(201);
      const streamPath = `/projects/${projectId}/eventstreams/${created.body.id}`;
      const connector = start();
      gone = true;
      const first = await pipeline.publisher.publishMany(
        Array.from({ length: 5 }, () => ({ name: "LoginSucceeded" as const, projectId })),
      );
      const paused = await waitFor(
        async () => {
          const { body } = await api.call("GET", streamPath);
          return body.status === "paused" ? body : undefined;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 300,
          description: () => `the connector's pause\n${connector.output()}`,
        },
      );
      expect(paused.paused_reason).toMatch(/HTTP410/);
      expect(paused.backlog.from).toEqual(expect.any(Object));
      const whilePaused = await pipeline.publisher.publishMany(
        Array.from({ length: 30 }, () => ({ name: "LoginSucceeded" as const, projectId })),
      );
      gone = false;
      expect((await api.call("PATCH", streamPath, { body: { status: "active" } })).status).toBe(200);
      await waitFor(() => whilePaused.every((e) => received(path).has(e.id)), {
        timeoutMs: 60_000,
        description: () => `the events kept while paused (${received(path).size})\n${connector.output()}`,
      });
      // The ones answered 410 are in the dead-letter topic or were delivered again by the catch-up.
      const dead = await deadLetterIds(pipeline);
      expect(first.every((e) => received(path).has(e.id) || dead.has(e.id))).toBe(true);
    } finally {
      server.reply = answer;
    }
  }, 120_000);
});

/** Event ids of the stream's records in the parked topic (each time it was parked). */
async function parkedIdsOf(pipeline: Pipeline, streamId: string): Promise<string[]> {
  const decoder = createEventDecoder({ registryUrl: stackFromEnv().schemaRegistryUrl });
  const values: Buffer[] = [];
  await readToEnd(pipeline.kafka, pipeline.topics.parked, (_p, message) => {
    if (message.value && readRetryRecord(message, 0).streamId === streamId) values.push(message.value);
  });
  const topic = domainTopic("identities", pipeline.prefix);
  return Promise.all(values.map(async (value) => (await decoder.decode(value, topic)).id));
}

async function deadLetterIds(pipeline: Pipeline): Promise<Set<string>> {
  const ids = new Set<string>();
  const decoder = createEventDecoder({ registryUrl: stackFromEnv().schemaRegistryUrl });
  const values: Buffer[] = [];
  await readToEnd(pipeline.kafka, pipeline.topics.deadLetter, (_p, message) => {
    if (message.value) values.push(message.value);
  });
  for (const value of values) {
    const topic = domainTopic("identities", pipeline.prefix);
    ids.add((await decoder.decode(value, topic)).id);
  }
  return ids;
}
