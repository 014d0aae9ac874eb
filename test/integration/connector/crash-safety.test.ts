import { randomUUID } from "node:crypto";
import type { EventInput } from "../../../producers";
import { waitFor } from "../../../src/util/wait-for";
import { createPublisherRole, createTopicWithQueue } from "../../support/aws-fixtures";
import { type ConnectorProcess, spawnConnector } from "../../support/connector-process";
import { createPipeline, type Pipeline } from "../../support/pipeline";
import { QueueCollector } from "../../support/queue-collector";

/**
 * At least once, shown by killing: connector processes are SIGKILLed while events flow, and in
 * the end every event has reached its destination. Ten projects, each with its own SNS topic and
 * subscribed SQS queue, which the test drains and counts.
 */
describe("connector crash safety", () => {
  let pipeline: Pipeline;
  let collector: QueueCollector;
  const processes: ConnectorProcess[] = [];
  const projects = Array.from({ length: 10 }, () => randomUUID());

  beforeAll(async () => {
    pipeline = await createPipeline(6);
    const queues: string[] = [];
    for (const projectId of projects) {
      const { topicArn, queueUrl } = await createTopicWithQueue();
      const roleArn = await createPublisherRole(projectId, topicArn);
      await pipeline.addStream({ projectId, config: { topicArn, roleArn } });
      queues.push(queueUrl);
    }
    collector = new QueueCollector(queues);
  });

  afterAll(async () => {
    for (const p of processes) p.child.kill("SIGKILL");
    await collector?.stop();
    await pipeline?.close();
  });

  function start(): ConnectorProcess {
    const p = spawnConnector(pipeline.env);
    processes.push(p);
    return p;
  }

  async function publish(total: number): Promise<Set<string>> {
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

  async function kill(p: ConnectorProcess): Promise<void> {
    p.child.kill("SIGKILL");
    await p.exited;
  }

  it("delivers all 20,000 events at least once although the connector is SIGKILLed 5 times", async () => {
    const total = Number(process.env.CRASH_TEST_EVENTS ?? 20_000);
    const publishing = publish(total);
    let current = start();
    // Kill at moments spread over the run: whenever another sixth of the events has arrived.
    for (let k = 1; k <= 5; k++) {
      const threshold = Math.floor((total * k) / 6);
      await waitFor(() => collector.unique >= threshold, {
        timeoutMs: 120_000,
        intervalMs: 50,
        description: () =>
          `${threshold} events delivered before kill ${k} (have ${collector.unique}; log: ${current.output().slice(-1500)})`,
      });
      await kill(current);
      current = start();
    }
    const ids = await publishing;
    await waitFor(() => [...ids].every((id) => collector.counts.has(id)), {
      timeoutMs: 180_000,
      intervalMs: 500,
      description: () => `every event delivered (have ${collector.unique} of ${total})`,
    });
    expect(collector.unique).toBe(total);
    process.stdout.write(`crash safety: ${total} events, 5 SIGKILLs, ${collector.duplicates} duplicates\n`);
    await kill(current);
  }, 400_000);

  it("moves a killed instance's partitions to the other instance of the group without loss", async () => {
    const before = collector.unique;
    const [first, second] = [start(), start()];
    const ids = publish(5_000);
    await waitFor(() => collector.unique >= before + 1_000, {
      timeoutMs: 120_000,
      intervalMs: 50,
      description: "first 1,000",
    });
    await kill(first);
    const published = await ids;
    await waitFor(() => [...published].every((id) => collector.counts.has(id)), {
      timeoutMs: 120_000,
      intervalMs: 500,
      description: () =>
        `every event delivered by the surviving instance (log: ${second.output().slice(-1500)})`,
    });
    expect(second.child.exitCode).toBeNull();
    await kill(second);
  }, 300_000);
});
