import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONNECTOR_NODE_FLAGS } from "../../connectors/node-flags";
import { createEventPublisher, type EventPublisher } from "../../producers";
import { type DeliveredEvent, DOMAINS, type Domain } from "../../src/events/domain-event";
import { createKafka } from "../../src/kafka/kafka-client";
import { createLogger } from "../../src/logging";
import { kafkaBrokersSetting, schemaRegistryUrlSetting } from "../../src/settings/endpoints";
import { clientEnvironment, stackEndpoints } from "../../src/settings/stack-settings";
import { DEFAULT_TOPIC_SETTINGS, ensureDomainTopics } from "../../src/topics/create-topics";
import { runSimulation } from "../simulate/simulation";
import { LocalStack } from "../stack/stack";
import { ChildService } from "./child-service";
import { createPublisherRole, createTopicWithQueue } from "./customer-aws";
import { DemoStats } from "./demo-stats";
import { type DemoContext, renderDemo, summaryLine } from "./demo-view";
import { sumMetric } from "./prometheus-text";
import { QueueDrain } from "./queue-drain";

export interface DemoOptions {
  /** Stop after this long; otherwise at Ctrl-C. */
  durationMs?: number;
  /** Events per second over the three domains. */
  rate: number;
  apiPort: number;
  opsPort: number;
  /** Leave the services of the local stack that the demo started running at the end. */
  keepStack?: boolean;
}

/**
 * The whole product on the local stack: a customer's AWS set-up, a stream created through the
 * HTTP API (verified), the API and a connector as processes, simulated product services, and a
 * live view of what arrives in the customer's queue.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const stack = new LocalStack();
  const startedHere = (await stack.status()).filter((s) => !s.healthy && !s.problem).map((s) => s.name);
  const problem = (await stack.up(say)).find((s) => s.problem);
  if (problem) throw new Error(`the local stack's ${problem.name} is not healthy: ${problem.problem}`);
  for (const [key, value] of Object.entries(clientEnvironment(stackEndpoints(stack.settings)))) {
    process.env[key] ??= value;
  }
  const logger = createLogger("demo", { level: "warn" });
  const brokers = kafkaBrokersSetting(process.env);

  const admin = createKafka({ clientId: "eventstreams-demo", brokers }, logger).admin();
  await admin.connect();
  await ensureDomainTopics(admin, DEFAULT_TOPIC_SETTINGS);
  await admin.disconnect();

  const projectId = randomUUID();
  const name = `eventstreams-demo-${projectId.slice(0, 8)}`;
  const { topicArn, queueUrl } = await createTopicWithQueue(name);
  const roleArn = await createPublisherRole(name, projectId, topicArn);
  say(`aws: topic ${topicArn} → queue ${queueUrl}; role ${roleArn} (ExternalId = project ${projectId})`);

  const token = randomBytes(24).toString("base64url");
  const apiUrl = `http://127.0.0.1:${options.apiPort}`;
  const logs = path.join(stack.settings.root, "logs");
  const api = new ChildService(
    "api",
    ["api"],
    { EVENTSTREAMS_ADMIN_TOKEN: token, EVENTSTREAMS_API_PORT: String(options.apiPort) },
    path.join(logs, "demo-api.log"),
  );
  const connector = new ChildService(
    "connector",
    ["connector"],
    { EVENTSTREAMS_OPS_PORT: String(options.opsPort) },
    path.join(logs, "demo-connector.log"),
    CONNECTOR_NODE_FLAGS,
  );
  const drainStopped: QueueDrain[] = [];
  try {
    await api.waitReady(`${apiUrl}/readyz`);
    const created = await fetch(`${apiUrl}/projects/${projectId}/eventstreams`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "sns", topic_arn: topicArn, role_arn: roleArn }),
    });
    const stream = (await created.json()) as { id?: string; error?: { message: string } };
    if (!created.ok || !stream.id)
      throw new Error(`creating the stream failed: ${stream.error?.message ?? created.status}`);
    say(`api: created and verified event stream ${stream.id} at ${apiUrl}`);

    const envFile = path.join(stack.settings.root, "demo.env");
    fs.writeFileSync(
      envFile,
      `EVENTSTREAMS_API_URL=${apiUrl}\nEVENTSTREAMS_API_TOKEN=${token}\nDEMO_PROJECT_ID=${projectId}\nDEMO_STREAM_ID=${stream.id}\n`,
      { mode: 0o600 },
    );
    say(
      `console: ${apiUrl}/console/ — sign in with project ${projectId} and the token EVENTSTREAMS_API_TOKEN in ${envFile} (not printed: it is a secret)`,
    );
    await connector.waitReady(`http://127.0.0.1:${options.opsPort}/readyz`);
    say(`connector: running, metrics at http://127.0.0.1:${options.opsPort}/metrics`);

    const stats = new DemoStats();
    drainStopped.push(
      new QueueDrain(queueUrl, (message) => {
        const event = JSON.parse(message.Body ?? "{}") as DeliveredEvent;
        if (event.name === "EventStreamVerification") return; // the API's check at creation, not an event
        const domain = (message.MessageAttributes?.domain?.StringValue ?? "identities") as Domain;
        stats.recordReceived(event, domain, Date.now());
      }),
    );
    const context: DemoContext = { projectId, topicArn, queueUrl, streamId: stream.id, envFile };
    await simulateAndWatch(options, stats, context, projectId);
  } finally {
    await Promise.all(drainStopped.map((d) => d.stop()));
    await Promise.all([connector.stop(), api.stop()]);
    say(`logs: ${api.logFile}, ${connector.logFile}`);
    if (startedHere.length > 0 && !options.keepStack) {
      say(
        `stack: stopping what the demo started (${startedHere.join(", ")}); --keep-stack leaves it running`,
      );
      await stack.down(say, startedHere);
    }
  }
}

async function simulateAndWatch(
  options: DemoOptions,
  stats: DemoStats,
  context: DemoContext,
  projectId: string,
) {
  const started = Date.now();
  const tty = process.stdout.isTTY === true;
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const refresh = async () => {
    stats.tick();
    const text = await fetch(`http://127.0.0.1:${options.opsPort}/metrics`)
      .then((r) => r.text())
      .catch(() => "");
    stats.connector = {
      retryable: sumMetric(text, "eventstreams_deliveries_total", 'outcome="retryable"'),
      deadLettered: sumMetric(text, "eventstreams_dead_lettered_total"),
      lag: sumMetric(text, "eventstreams_consumer_lag"),
    };
    const elapsed = Date.now() - started;
    if (tty) process.stdout.write(`\x1b[2J\x1b[H${renderDemo(stats, context, elapsed)}`);
    else if (Math.round(elapsed / 1000) % 5 === 0) process.stdout.write(`${summaryLine(stats, elapsed)}\n`);
  };
  const view = setInterval(() => void refresh(), 1_000);

  const publisher = createEventPublisher({
    brokers: kafkaBrokersSetting(process.env),
    registryUrl: schemaRegistryUrlSetting(process.env),
    autoRegister: true,
    source: "demo-product-services",
  });
  const counting = {
    publishMany: async (events: Parameters<EventPublisher["publishMany"]>[0]) => {
      const published = await publisher.publishMany(events);
      for (const e of published) stats.recordProduced(e.domain);
      return published;
    },
  } as EventPublisher;
  try {
    await runSimulation(counting, {
      domains: DOMAINS,
      rate: options.rate,
      projects: 1,
      projectIds: [projectId],
      durationMs: options.durationMs,
      signal: stop.signal,
    });
    // Let what was published arrive before the summary (bounded: the destination may be down).
    const deadline = Date.now() + 30_000;
    while (stats.total(stats.delivered) < stats.total(stats.produced) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    clearInterval(view);
    await refresh();
    await publisher.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  process.stdout.write(`\nsummary: ${summaryLine(stats, Date.now() - started)}\n`);
}
