import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Kafka } from "kafkajs";
import { LocalStack, type ServiceStatus } from "../../apps/stack/stack";
import { generateSecret } from "../../connectors/sinks/https/signature";
import { createEventPublisher, type EventInput } from "../../producers";
import { createEventDecoder } from "../../src/codec/event-decoder";
import { readToEnd } from "../../src/kafka/read-to-end";
import { findProjectRoot } from "../../src/project-root";
import { RegistryAdmin } from "../../src/schemas/registry-admin";
import { stackEndpoints, stackSettings } from "../../src/settings/stack-settings";
import { DEFAULT_TOPIC_SETTINGS, ensureDomainTopics } from "../../src/topics/create-topics";
import { domainTopic, domainTopics, valueSubject } from "../../src/topics/domain-topics";
import { delay, waitFor } from "../../src/util/wait-for";
import { testKafka } from "../../support/clients";
import { spawnConnector } from "../../support/connector-process";
import { createPipeline } from "../../support/pipeline";
import { uniqueName } from "../../support/unique";
import { startWebhookServer, trustedReceiverEnv } from "../../support/webhook-server";
import { consumeRaw, type RawRecord } from "../support/domain-topics-fixture";

const run = promisify(execFile);
const root = findProjectRoot();

/**
 * Runs the real `eventstreams stack` command against a second stack on other ports and in another
 * folder, so that stopping it cannot disturb the stack the other suites share. The downloads are
 * linked from the shared stack's folder rather than fetched again.
 */
describe("eventstreams stack up | status | down", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eventstreams-stack-"));
  const env = {
    ...process.env,
    EVENTSTREAMS_STACK_DIR: dir,
    KAFKA_PORT: "19092",
    KAFKA_CONTROLLER_PORT: "19093",
    SCHEMA_REGISTRY_PORT: "18081",
    AWS_EMULATOR_PORT: "14566",
  };
  const ports = [19092, 19093, 18081, 14566];

  beforeAll(() => {
    const shared = stackSettings().root;
    for (const link of ["kafka/libs", "registry", "aws/venv"]) {
      // Where this checkout has no downloads (its stack runs from elsewhere), `up` installs afresh.
      if (!fs.existsSync(path.join(shared, link))) continue;
      fs.mkdirSync(path.dirname(path.join(dir, link)), { recursive: true });
      fs.symlinkSync(path.join(shared, link), path.join(dir, link));
    }
  });

  afterAll(async () => {
    await cli("down").catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await run("node", [path.join(root, "bin/eventstreams.js"), "stack", ...args], {
      env,
      timeout: 180_000,
    });
    return stdout;
  }

  const status = async (): Promise<ServiceStatus[]> =>
    JSON.parse(await cli("status", "--json").catch((e) => e.stdout));

  it("starts every service, reports them healthy, is idempotent, and stops only its own processes", async () => {
    const first: ServiceStatus[] = JSON.parse(await cli("up", "--json"));
    expect(first.map((s) => [s.name, s.healthy])).toEqual([
      ["kafka", true],
      ["registry", true],
      ["aws", true],
    ]);
    expect(first.every((s) => typeof s.pid === "number")).toBe(true);
    expect(first.map((s) => s.url)).toEqual([
      "127.0.0.1:19092",
      "http://127.0.0.1:18081/apis/ccompat/v7",
      "http://127.0.0.1:14566",
    ]);

    // A second `up` starts nothing new: the same processes are still the ones recorded.
    const second: ServiceStatus[] = JSON.parse(await cli("up", "--json"));
    expect(second.map((s) => s.pid)).toEqual(first.map((s) => s.pid));
    expect((await status()).every((s) => s.healthy)).toBe(true);

    await cli("down");
    const after = await status();
    expect(after.map((s) => [s.name, s.healthy, s.pid])).toEqual([
      ["kafka", false, null],
      ["registry", false, null],
      ["aws", false, null],
    ]);
    for (const port of ports) expect(await isListening(port)).toBe(false);
    for (const pid of first.map((s) => s.pid)) expect(isAlive(pid as number)).toBe(false);
  }, 240_000);

  it("keeps every schema through registry restarts, a SIGKILL and a whole-stack restart; a connector then delivers every earlier event, and every event through a broker SIGKILL", async () => {
    await cli("up");
    const stack = new LocalStack(stackSettings(env));
    const endpoints = stackEndpoints(stack.settings);
    const kafka = testKafka("stack-durability", endpoints.kafkaBrokers);
    const admin = new RegistryAdmin(endpoints.schemaRegistryUrl);
    const prefix = uniqueName("durable");
    const topicAdmin = kafka.admin();
    await topicAdmin.connect();
    await ensureDomainTopics(topicAdmin, { ...DEFAULT_TOPIC_SETTINGS, prefix, partitions: 3 });
    await topicAdmin.disconnect();

    const projects = [randomUUID(), randomUUID(), randomUUID()];
    const names = ["IdentityCreated", "OAuth2AccessTokenIssued", "RelationtuplesCreated"] as const;
    const publisher = createEventPublisher({
      brokers: endpoints.kafkaBrokers,
      registryUrl: endpoints.schemaRegistryUrl,
      topicPrefix: prefix,
      autoRegister: true,
      source: "durability-test",
    });
    const published = await publisher.publishMany(
      Array.from({ length: 60 }, (_, i) => ({
        name: names[i % names.length],
        projectId: projects[i % projects.length],
        eventAttributes: { seq: String(i) },
      })) as EventInput[],
    );
    await publisher.close();
    const subjects = domainTopics(prefix).map(valueSubject);
    const latestIds = () => Promise.all(subjects.map(async (s) => (await admin.latest(s))?.id));
    const idsBefore = await latestIds();
    expect(idsBefore.every((id) => typeof id === "number")).toBe(true);

    const records: RawRecord[] = [];
    const reader = await consumeRaw(prefix, records, kafka);
    await waitFor(() => records.length >= published.length, {
      timeoutMs: 30_000,
      description: "all 60 records",
    });
    await reader.disconnect();

    // A fresh decoder each time: nothing comes from a cache, every schema from the registry.
    const expectEveryRecordDecodes = async () => {
      expect(await latestIds()).toEqual(idsBefore);
      const decoder = createEventDecoder({ registryUrl: endpoints.schemaRegistryUrl });
      const byId = new Map(published.map((e) => [e.id, e]));
      for (const record of records) {
        const event = await decoder.decode(record.value, record.topic);
        const sent = byId.get(event.id);
        expect(sent).toBeDefined();
        expect(event).toMatchObject({
          name: sent?.name,
          projectId: sent?.projectId,
          eventAttributes: sent?.eventAttributes,
        });
        byId.delete(event.id);
      }
      expect(byId.size).toBe(0);
    };
    await expectEveryRecordDecodes();

    await stack.down(undefined, ["registry"]);
    await stack.up();
    await expectEveryRecordDecodes();

    const registryPid = (await stack.status()).find((s) => s.name === "registry")?.pid as number;
    process.kill(registryPid, "SIGKILL");
    await waitFor(() => !isAlive(registryPid), {
      timeoutMs: 10_000,
      description: "the killed registry gone",
    });
    await stack.up();
    await expectEveryRecordDecodes();

    await cli("down");
    await cli("up");
    await expectEveryRecordDecodes();

    // A connector that starts only now reads the records from the beginning and delivers them all.
    const pipeline = await createPipeline(3, { endpoints, prefix });
    const server = await startWebhookServer();
    try {
      for (const projectId of projects) {
        await pipeline.addStream({
          projectId,
          type: "https",
          config: { httpsEndpoint: server.url("127.0.0.1"), secret: generateSecret() },
        });
      }
      const connector = spawnConnector({
        ...pipeline.env,
        ...trustedReceiverEnv(server),
        AWS_ENDPOINT_URL: endpoints.awsEndpointUrl,
      });
      try {
        const received = () => new Set(server.requests.map((r) => String(r.headers["webhook-id"])));
        await waitFor(() => published.every((e) => received().has(e.id)), {
          timeoutMs: 60_000,
          description: () =>
            `all 60 events at the receiver (${received().size} so far)\n${connector.output()}`,
        });
        expect(await deadLetterOffsets(kafka, pipeline.topics.deadLetter)).toBe(0);

        // The broker SIGKILLed and started again while events flow: the publisher and the
        // connector reconnect by themselves, and every event the broker acknowledged arrives.
        const flowing = createEventPublisher({
          brokers: endpoints.kafkaBrokers,
          registryUrl: endpoints.schemaRegistryUrl,
          topicPrefix: prefix,
          autoRegister: true,
          source: "broker-restart-test",
        });
        const acknowledged: string[] = [];
        let refused = 0;
        let flow = true;
        const publishing = (async () => {
          for (let tick = 0; flow; tick++) {
            await flowing
              .publishMany(
                projects.map((projectId) => ({
                  name: "IdentityCreated" as const,
                  projectId,
                  eventAttributes: { tick: String(tick) },
                })),
              )
              .then((events) => acknowledged.push(...events.map((e) => e.id)))
              .catch(() => {
                refused++;
              });
            await delay(100);
          }
        })();
        await waitFor(() => acknowledged.length >= 30, { timeoutMs: 30_000, description: "events flowing" });
        const kafkaPid = (await stack.status()).find((s) => s.name === "kafka")?.pid as number;
        process.kill(kafkaPid, "SIGKILL");
        await waitFor(() => !isAlive(kafkaPid), { timeoutMs: 10_000, description: "the killed broker gone" });
        const beforeRestart = acknowledged.length;
        await stack.up();
        await waitFor(() => acknowledged.length >= beforeRestart + 30, {
          timeoutMs: 60_000,
          description: "events flowing again after the broker's restart",
        });
        flow = false;
        await publishing;
        await flowing.close();
        await waitFor(() => acknowledged.every((id) => received().has(id)), {
          timeoutMs: 90_000,
          description: () =>
            `every acknowledged event at the receiver (${acknowledged.filter((id) => received().has(id)).length} of ${acknowledged.length}; ${refused} publishes refused while the broker was away)\n${connector.output()}`,
        }).catch(async (error: Error) => {
          // Whether the missing events are in the domain topics tells the broker's loss from ours.
          const missing = acknowledged.filter((id) => !received().has(id));
          const kept = await eventIdsIn(kafka, prefix, endpoints.schemaRegistryUrl);
          throw new Error(
            `${error.message}\nmissing ${missing.join(", ")}: ${missing.filter((id) => kept.has(id)).length} of them in the domain topics`,
          );
        });
        expect(await deadLetterOffsets(kafka, pipeline.topics.deadLetter)).toBe(0);
        process.stdout.write(
          `broker SIGKILL: ${acknowledged.length} events acknowledged, all delivered; ${refused} publishes refused while it was away\n`,
        );
      } finally {
        connector.child.kill("SIGKILL");
        await connector.exited;
      }
    } finally {
      await server.close();
      await pipeline.close();
    }
  }, 420_000);

  it("reports a registry that lost schemas Kafka's records still reference as unhealthy, with the fix", async () => {
    const endpoints = stackEndpoints(stackSettings(env));
    const kafka = testKafka("stack-divergence", endpoints.kafkaBrokers);
    const admin = kafka.admin();
    await admin.connect();
    // The default (unprefixed) domain topics, the ones `stack status` samples.
    await ensureDomainTopics(admin, { ...DEFAULT_TOPIC_SETTINGS, prefix: "", partitions: 1 });
    await admin.disconnect();
    const healthy = await status();
    expect(healthy.find((s) => s.name === "registry")).toMatchObject({ healthy: true });

    // A record naming a schema id this registry never handed out, as after the registry lost its state.
    const value = Buffer.from([0, 0, 0, 0x10, 0x92, 0x02]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: domainTopic("identities", ""), messages: [{ key: "p", value }] });
    await producer.disconnect();

    const result = await run("node", [path.join(root, "bin/eventstreams.js"), "stack", "status"], {
      env,
    }).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/registry\s+unhealthy/);
    expect(result.stdout).toContain("schema id 4242");
    expect(result.stdout).toContain("identities.events");
    expect(result.stdout).toContain(`rm -rf ${path.join(dir, "data")}`);
    const registry = (await status()).find((s) => s.name === "registry");
    expect(registry?.healthy).toBe(false);
    expect(registry?.problem).toMatch(/schema id 4242/);
  }, 120_000);
});

async function deadLetterOffsets(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A zombie has exited and only waits to be reaped by its (re)parent. */
function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The ids of every event in a prefix's domain topics. */
async function eventIdsIn(kafka: Kafka, prefix: string, registryUrl: string): Promise<Set<string>> {
  const decoder = createEventDecoder({ registryUrl });
  const ids = new Set<string>();
  for (const topic of domainTopics(prefix)) {
    const values: Buffer[] = [];
    await readToEnd(kafka, topic, (_partition, message) => {
      if (message.value) values.push(message.value);
    });
    for (const value of values) ids.add((await decoder.decode(value, topic)).id);
  }
  return ids;
}
