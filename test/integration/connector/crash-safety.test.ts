import { randomUUID } from "node:crypto";
import { generateSecret } from "../../../connectors/sinks/https/signature";
import type { EventInput } from "../../../producers";
import { waitFor } from "../../../src/util/wait-for";
import { type ConnectorProcess, spawnConnector } from "../../../support/connector-process";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";
import { createPublisherRole, createTopicWithQueue } from "../../support/aws-fixtures";
import { QueueCollector } from "../../support/queue-collector";

/**
 * At least once, shown by killing: real connector processes are SIGKILLed while events flow, and
 * in the end every event has reached its destination. Volume goes through HTTPS webhooks to a
 * local receiver (fast enough for 20,000 events); the SNS → SQS path is shown the same way at the
 * volume the AWS emulator sustains (about a hundred messages a second on this machine).
 */
describe("connector crash safety", () => {
  let pipeline: Pipeline;
  let server: WebhookServer;
  let env: Record<string, string>;
  const processes: ConnectorProcess[] = [];
  const webhookProjects = Array.from({ length: 10 }, () => randomUUID());

  beforeAll(async () => {
    server = await startWebhookServer();
    pipeline = await createPipeline(6);
    env = {
      ...pipeline.env,
      ...trustedReceiverEnv(server),
    };
    for (const projectId of webhookProjects) {
      await pipeline.addStream({
        projectId,
        type: "https",
        config: { httpsEndpoint: server.url("127.0.0.1"), secret: generateSecret() },
      });
    }
  });

  afterAll(async () => {
    for (const p of processes) p.child.kill("SIGKILL");
    await pipeline?.close();
    await server?.close();
  });

  function start(): ConnectorProcess {
    const p = spawnConnector(env);
    processes.push(p);
    return p;
  }

  async function kill(p: ConnectorProcess): Promise<void> {
    p.child.kill("SIGKILL");
    await p.exited;
  }

  async function publish(projects: readonly string[], total: number): Promise<Set<string>> {
    const ids = new Set<string>();
    const names = ["IdentityCreated", "LoginSucceeded", "SessionIssued", "OAuth2AccessTokenIssued"] as const;
    for (let sent = 0; sent < total; sent += 500) {
      const batch = Array.from({ length: Math.min(500, total - sent) }, (_, i) => ({
        name: names[(sent + i) % names.length],
        projectId: projects[(sent + i) % projects.length],
        eventAttributes: { seq: String(sent + i) },
      })) as EventInput[];
      for (const e of await pipeline.publisher.publishMany(batch)) ids.add(e.id);
    }
    return ids;
  }

  // Counted incrementally: rescanning every request on each poll would starve the HTTPS receiver,
  // which shares this process.
  const counts = new Map<string, number>();
  let counted = 0;
  const webhookCounts = () => {
    for (; counted < server.requests.length; counted++) {
      const id = String(server.requests[counted]?.headers["webhook-id"]);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };

  /** Kills the running instance whenever another share of the events has arrived, `kills` times. */
  async function killAlong(delivered: () => number, total: number, kills: number): Promise<ConnectorProcess> {
    let current = start();
    for (let k = 1; k <= kills; k++) {
      const threshold = Math.floor((total * k) / (kills + 1));
      await waitFor(() => delivered() >= threshold, {
        timeoutMs: 120_000,
        intervalMs: 100,
        description: () =>
          `${threshold} events delivered before kill ${k} (have ${delivered()}; log: ${current.logFile})`,
      });
      await kill(current);
      current = start();
    }
    return current;
  }

  it("delivers 20,000 events at least once although the connector is SIGKILLed 5 times", async () => {
    const total = Number(process.env.CRASH_TEST_EVENTS ?? 20_000);
    const publishing = publish(webhookProjects, total);
    const last = await killAlong(() => webhookCounts().size, total, 5);
    const ids = await publishing;
    await waitFor(() => [...ids].every((id) => webhookCounts().has(id)), {
      timeoutMs: 180_000,
      intervalMs: 500,
      description: () =>
        `every event delivered (have ${webhookCounts().size} of ${total}; log: ${last.logFile})`,
    });
    webhookCounts();
    expect([...ids].filter((id) => !counts.has(id))).toEqual([]);
    const duplicates = [...counts.values()].reduce((n, c) => n + c - 1, 0);
    process.stdout.write(`crash safety (https): ${total} events, 5 SIGKILLs, ${duplicates} duplicates\n`);
    await kill(last);
  }, 420_000);

  it("delivers through SNS to SQS at least once across SIGKILLs", async () => {
    const projects = Array.from({ length: 5 }, () => randomUUID());
    const queues: string[] = [];
    for (const projectId of projects) {
      const { topicArn, queueUrl } = await createTopicWithQueue();
      const roleArn = await createPublisherRole(projectId, topicArn);
      await pipeline.addStream({ projectId, config: { topicArn, roleArn } });
      queues.push(queueUrl);
    }
    const collector = new QueueCollector(queues);
    try {
      const total = 1_500;
      const publishing = publish(projects, total);
      const last = await killAlong(() => collector.unique, total, 2);
      const ids = await publishing;
      await waitFor(() => [...ids].every((id) => collector.counts.has(id)), {
        timeoutMs: 120_000,
        intervalMs: 500,
        description: () =>
          `every event on its queue (have ${collector.unique} of ${total}; log: ${last.logFile})`,
      });
      process.stdout.write(
        `crash safety (sns): ${total} events, 2 SIGKILLs, ${collector.duplicates} duplicates\n`,
      );
      await kill(last);
    } finally {
      await collector.stop();
    }
  }, 300_000);

  it("moves a killed instance's partitions to the other instance of the group without loss", async () => {
    const before = webhookCounts().size;
    const [first, second] = [start(), start()];
    const ids = publish(webhookProjects, 3_000);
    await waitFor(() => webhookCounts().size >= before + 500, {
      timeoutMs: 120_000,
      intervalMs: 100,
      description: "the first 500 events",
    });
    await kill(first);
    const published = await ids;
    await waitFor(() => [...published].every((id) => webhookCounts().has(id)), {
      timeoutMs: 120_000,
      intervalMs: 500,
      description: () => `every event delivered by the surviving instance (log: ${second.logFile})`,
    });
    expect(second.child.exitCode).toBeNull();
    await kill(second);
  }, 300_000);
});
