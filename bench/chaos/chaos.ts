/**
 * The chaos run (issue 18): events flow from many projects at a steady rate through two connector
 * instances to customers' destinations while, on a schedule drawn from a fixed seed, connector
 * instances are SIGKILLed (and started again), the broker is SIGKILLed and started again, the
 * schema registry is stopped for 30 s, one receiver answers 503 for 60 s and another hangs for
 * 30 s. At the end it waits for the backlog to drain, then prints and writes as JSON: events
 * published, delivered, lost (must be 0), duplicates (in all and per fault), dead-lettered (must
 * be 0: every fault is transient), the longest pause of delivery per fault, and commits per second.
 *
 * The HTTPS run's receivers check every signature. With --sns, a smaller run goes through the
 * emulator's SNS into SQS queues, with the same process faults and no receiver faults.
 *
 * On the native stack (`eventstreams stack up`), which it restarts parts of: run nothing else on
 * it meanwhile.
 *
 * Usage: npm run bench:chaos -- [--sns] [--events N] [--rate N] [--projects N] [--kills N] [--seed N]
 */
import { randomUUID } from "node:crypto";
import * as os from "node:os";
import { parseArgs } from "node:util";
import type { Message } from "@aws-sdk/client-sqs";
import { createPublisherRole, createTopicWithQueue } from "../../apps/demo/customer-aws";
import { QueueDrain } from "../../apps/demo/queue-drain";
import { LocalStack } from "../../apps/stack/stack";
import { generateSecret } from "../../connectors/sinks/https/signature";
import { withAdmin } from "../../src/kafka/with-admin";
import { DEFAULT_SESSION_TIMEOUT_MS } from "../../src/settings/connector-settings";
import { clientEnvironment, stackEndpoints } from "../../src/settings/stack-settings";
import { delay, waitFor } from "../../src/util/wait-for";
import { type ConnectorProcess, spawnConnector } from "../../support/connector-process";
import { freePort } from "../../support/hostile-destinations";
import { createPipeline, type Pipeline } from "../../support/pipeline";
import { trustedReceiverEnv } from "../../support/webhook-server";
import { round } from "../producer/stats";
import { writeBenchResult } from "../results";
import { CommitCounter } from "./commit-counter";
import { type Delivery, type FaultRun, faultFigures } from "./fault-report";
import { chaosSchedule, type Fault } from "./schedule";
import { VerifyingReceiver } from "./verifying-receiver";

const { values } = parseArgs({
  options: {
    sns: { type: "boolean", default: false },
    events: { type: "string" },
    rate: { type: "string" },
    projects: { type: "string" },
    kills: { type: "string" },
    seed: { type: "string", default: "18" },
  },
});
const sns = values.sns === true;
const events = Number(values.events ?? (sns ? 20_000 : 200_000));
const rate = Number(values.rate ?? (sns ? 100 : 500));
const projectCount = Number(values.projects ?? (sns ? 20 : 100));
const kills = Number(values.kills ?? (sns ? 10 : 20));
const seed = Number(values.seed);
/** Two instances of the group (each with a metrics port of its own, below). */
const INSTANCES = 2;
/** Once every event arrived, how long to go on watching for late duplicates (retries in flight). */
const LATE_DUPLICATES_WINDOW_MS = 15_000;
const say = (line: string) => process.stderr.write(`[bench:chaos] ${line}\n`);

/** Where the events end up, and how to stop watching. */
interface Destinations {
  accepted(): readonly Delivery[];
  /** The projects a receiver fault holds up, by fault kind. */
  heldUpBy: Partial<Record<Fault["kind"], ReadonlySet<string>>>;
  env: Record<string, string>;
  /** Which destination a project's stream goes to, for the report. */
  destinationOf(project: string): string;
  faults: Partial<Record<Fault["kind"], (forMs: number) => Promise<void>>>;
  check(): Record<string, number>;
  close(): Promise<void>;
}

async function httpsDestinations(pipeline: Pipeline, projects: string[]): Promise<Destinations> {
  // Most projects behind one receiver (the one that answers 503), a tenth behind the one that hangs.
  const unavailable = await VerifyingReceiver.start("chaos-a.test");
  const hanging = await VerifyingReceiver.start("chaos-b.test");
  const behindHanging = new Set(projects.slice(Math.ceil(projects.length * 0.9)));
  for (const projectId of projects) {
    const receiver = behindHanging.has(projectId) ? hanging : unavailable;
    const secret = generateSecret();
    await pipeline.addStream({
      projectId,
      type: "https",
      config: { httpsEndpoint: receiver.endpointFor(projectId, secret), secret },
    });
  }
  return {
    accepted: () => [...unavailable.accepted, ...hanging.accepted],
    heldUpBy: {
      "receiver-503": new Set(projects.filter((p) => !behindHanging.has(p))),
      "receiver-hang": behindHanging,
    },
    env: trustedReceiverEnv(unavailable.server, hanging.server.ca),
    destinationOf: (project) =>
      behindHanging.has(project) ? "the receiver that hangs" : "the receiver that answers 503",
    faults: {
      "receiver-503": async (forMs) => {
        unavailable.answerUnavailable(forMs);
        await delay(forMs);
      },
      "receiver-hang": async (forMs) => {
        hanging.hang();
        await delay(forMs);
        hanging.release();
      },
    },
    check: () => ({
      badSignatures: unavailable.badSignatures + hanging.badSignatures,
      misrouted: unavailable.misrouted + hanging.misrouted,
    }),
    close: async () => {
      await Promise.all([unavailable.close(), hanging.close()]);
    },
  };
}

async function snsDestinations(pipeline: Pipeline, projects: string[]): Promise<Destinations> {
  const accepted: Delivery[] = [];
  let misrouted = 0;
  const drains: QueueDrain[] = [];
  const run = randomUUID().slice(0, 8);
  for (const [i, projectId] of projects.entries()) {
    const name = `chaos-${run}-${i}`;
    const { topicArn, queueUrl } = await createTopicWithQueue(name);
    const roleArn = await createPublisherRole(name, projectId, topicArn);
    await pipeline.addStream({ projectId, type: "sns", config: { topicArn, roleArn } });
    drains.push(
      new QueueDrain(queueUrl, (message: Message) => {
        const event = JSON.parse(message.Body ?? "{}") as { id: string; projectId: string };
        if (event.projectId !== projectId) misrouted++;
        else accepted.push({ id: event.id, project: projectId, at: Date.now() });
      }),
    );
  }
  return {
    accepted: () => accepted,
    heldUpBy: {},
    env: {},
    destinationOf: () => "its SNS topic",
    faults: {},
    check: () => ({ misrouted }),
    close: async () => {
      await Promise.all(drains.map((d) => d.stop()));
    },
  };
}

/**
 * Two connector instances of one group, each with its own metrics port, started again after a
 * kill. One that exits by itself is started again too, and counted: that must not happen.
 */
class Instances {
  readonly processes: ConnectorProcess[];
  unexpectedExits = 0;
  private stopping = false;
  private readonly killed = new Set<ConnectorProcess>();

  constructor(
    private readonly env: Record<string, string>,
    readonly ports: number[],
  ) {
    this.processes = ports.map((_, instance) => this.spawn(instance));
  }

  private spawn(instance: number): ConnectorProcess {
    const started = spawnConnector({ ...this.env, EVENTSTREAMS_OPS_PORT: String(this.ports[instance]) });
    void started.exited.then((code) => {
      if (this.stopping || this.killed.has(started)) return;
      this.unexpectedExits++;
      say(`instance ${instance} exited by itself (code ${code}); its log: ${started.logFile}`);
      this.processes[instance] = this.spawn(instance);
    });
    return started;
  }

  async kill(instance: number): Promise<void> {
    const victim = this.processes[instance] as ConnectorProcess;
    this.killed.add(victim);
    victim.child.kill("SIGKILL");
    await victim.exited;
    this.processes[instance] = this.spawn(instance);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const p of this.processes) {
      p.child.kill("SIGKILL");
      await p.exited;
    }
  }
}

async function main(): Promise<void> {
  const stack = new LocalStack();
  await stack.up((line) => say(line));
  const endpoints = stackEndpoints(stack.settings);
  // The AWS SDK in this process (the SNS run's set-up) reaches the emulator the standard way.
  for (const [name, value] of Object.entries(clientEnvironment(endpoints))) process.env[name] ??= value;

  const runMs = (events / rate) * 1000;
  const schedule = chaosSchedule({ seed, runMs, kills, instances: INSTANCES, receiverFaults: !sns });
  if (runMs < 300_000)
    say(`a run of ${runMs / 1000} s leaves the faults little room: 400 s or more is meant`);
  const pipeline = await createPipeline(6);
  const projects = Array.from({ length: projectCount }, () => randomUUID());
  say(
    `${sns ? "SNS" : "HTTPS"} run: ${events} events at ${rate}/s over ${projectCount} projects, ${schedule.length} faults (seed ${seed})`,
  );
  const destinations = sns
    ? await snsDestinations(pipeline, projects)
    : await httpsDestinations(pipeline, projects);
  // One after another: two probes at once could be handed the same free port.
  const ports: number[] = [];
  for (let i = 0; i < INSTANCES; i++) ports.push(await freePort());
  const instances = new Instances(
    {
      ...pipeline.env,
      ...destinations.env,
      ...clientEnvironment(endpoints),
      EVENTSTREAMS_SESSION_TIMEOUT_MS: String(DEFAULT_SESSION_TIMEOUT_MS),
    },
    ports,
  );
  const commits = new CommitCounter(instances.ports);

  const acknowledged = new Set<string>();
  let refused = 0;
  let publishing = true;
  const publishStartedAt = Date.now();
  const publisher = (async () => {
    const perTick = Math.max(1, Math.round(rate / 10));
    const started = publishStartedAt;
    for (let tick = 0; publishing && acknowledged.size < events; tick++) {
      const batch = Array.from({ length: Math.min(perTick, events - acknowledged.size) }, (_, i) => ({
        name: "LoginSucceeded" as const,
        projectId: projects[(tick * perTick + i) % projects.length] as string,
      }));
      await pipeline.publisher.publishMany(batch).then(
        (sent) => {
          for (const e of sent) acknowledged.add(e.id);
        },
        () => {
          refused += batch.length; // not acknowledged: not promised either
        },
      );
      await delay(Math.max(0, started + (tick + 1) * 100 - Date.now()));
    }
  })();

  const delivered = () => new Set(destinations.accepted().map((d) => d.id));
  const progress = setInterval(() => {
    const got = delivered();
    say(
      `published ${acknowledged.size} (refused ${refused}), delivered ${[...acknowledged].filter((id) => got.has(id)).length}, deliveries ${destinations.accepted().length}`,
    );
  }, 10_000);
  const runs: FaultRun[] = [];
  let drainedAt = 0;
  try {
    await waitFor(() => destinations.accepted().length > 0, {
      timeoutMs: 60_000,
      description: "the first delivery",
    });
    clockStart = Date.now();
    const executing: Promise<void>[] = [];
    for (const fault of schedule) {
      await delay(Math.max(0, clockStart + fault.atMs - Date.now()));
      executing.push(runFault(fault).then((run) => void runs.push(run)));
    }
    await Promise.all(executing);
    await publisher;
    say(`faults done; waiting for the backlog to drain`);
    await waitFor(
      () => {
        const got = delivered();
        return [...acknowledged].every((id) => got.has(id));
      },
      {
        timeoutMs: 20 * 60_000,
        intervalMs: 1_000,
        description: () => `every acknowledged event delivered (${delivered().size} of ${acknowledged.size})`,
      },
    );
    drainedAt = Date.now();
    // Not a readiness wait: the run's end, for duplicates of retries still in flight to be counted.
    await delay(LATE_DUPLICATES_WINDOW_MS);
  } finally {
    publishing = false;
    clearInterval(progress);
    await publisher;
    await instances.stop();
    await destinations.close();
  }
  const totalCommits = await commits.stop();
  const deadLettered = await deadLetterCount(pipeline);
  await pipeline.close();

  async function runFault(fault: Fault): Promise<FaultRun> {
    const startedAt = Date.now();
    const label =
      fault.kind === "connector-kill" ? `connector-kill (instance ${fault.instance})` : fault.kind;
    say(`${label} at ${round((startedAt - clockStart) / 1000, 1)} s`);
    if (fault.kind === "connector-kill") await instances.kill(fault.instance ?? 0);
    else if (fault.kind === "broker-kill") {
      await killService(stack, "kafka");
      await stack.up();
    } else if (fault.kind === "registry-stop") {
      await stack.down(undefined, ["registry"]);
      await delay(Math.max(0, startedAt + fault.forMs - Date.now()));
      await stack.up();
    } else await destinations.faults[fault.kind]?.(fault.forMs);
    const endedAt = Date.now();
    if (fault.forMs > 0 || fault.kind === "broker-kill")
      say(`${label} over after ${round((endedAt - startedAt) / 1000, 1)} s`);
    return { label, startedAt, endedAt, projects: destinations.heldUpBy[fault.kind] };
  }

  const accepted = destinations.accepted();
  const got = delivered();
  const lost = [...acknowledged].filter((id) => !got.has(id)).length;
  const { figures, duplicatesBeforeFaults } = faultFigures(accepted, runs);
  const runSeconds = (drainedAt - publishStartedAt) / 1000;
  const report = {
    bench: sns ? "chaos-sns" : "chaos",
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    command: `npm run bench:chaos --${sns ? " --sns" : ""} --events ${events} --rate ${rate} --projects ${projectCount} --kills ${kills} --seed ${seed}`,
    events,
    rate,
    projects: projectCount,
    sessionTimeoutMs: DEFAULT_SESSION_TIMEOUT_MS,
    published: acknowledged.size,
    refusedWhilePublishing: refused,
    delivered: [...acknowledged].filter((id) => got.has(id)).length,
    deliveredNotAcknowledged: [...got].filter((id) => !acknowledged.has(id)).length,
    lost,
    duplicates: accepted.length - got.size,
    duplicatesBeforeFaults,
    deadLettered,
    ...destinations.check(),
    secondsToDrain: round(runSeconds, 1),
    commitsPerSecond: round(totalCommits / runSeconds, 1),
    unexpectedExits: instances.unexpectedExits,
    faults: figures.map((f) =>
      f.longestPauseOf
        ? {
            ...f,
            longestPauseOf: {
              ...f.longestPauseOf,
              destination: destinations.destinationOf(f.longestPauseOf.project),
            },
          }
        : f,
    ),
  };
  console.log(JSON.stringify(report, null, 2));
  say(`wrote ${writeBenchResult(report.bench, report)}`);
  if (lost > 0 || deadLettered > 0) process.exitCode = 1;
}

/** When the fault schedule's clock started (the first delivery). */
let clockStart = Date.now();

async function killService(stack: LocalStack, name: string): Promise<void> {
  const pid = (await stack.status()).find((s) => s.name === name)?.pid;
  if (!pid) throw new Error(`${name} is not running`);
  process.kill(pid, "SIGKILL");
  await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, description: `the killed ${name} gone` });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function deadLetterCount(pipeline: Pipeline): Promise<number> {
  const offsets = await withAdmin(pipeline.kafka, (admin) =>
    admin.fetchTopicOffsets(pipeline.topics.deadLetter),
  );
  return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
