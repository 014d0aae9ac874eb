import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { topicPrefixSetting } from "../../src/settings/endpoints";
import { type StackSettings, stackEndpoints, stackSettings } from "../../src/settings/stack-settings";
import { domainTopics } from "../../src/topics/domain-topics";
import { errorMessage } from "../../src/util/error-message";
import { waitFor } from "../../src/util/wait-for";
import { launchDetached, residentMemoryMiB, runningProcess, stopProcess } from "./processes";
import { checkRegistryAgainstKafka, describeInconsistency } from "./registry-consistency";
import { ensureSecretsKey } from "./secrets-key";
import type { StackService } from "./service";
import { AwsEmulatorService } from "./services/aws";
import { KafkaService } from "./services/kafka";
import { RegistryService } from "./services/registry";

export interface ServiceStatus {
  name: string;
  url: string;
  /** Our process, or null when the port is served by something we did not start (docker compose). */
  pid: number | null;
  healthy: boolean;
  rssMiB: number | null;
  logFile: string;
  /** Why a service that answers is still not healthy, and how to fix it. */
  problem?: string;
}

export type Progress = (line: string) => void;

export class LocalStack {
  readonly services: readonly StackService[];

  constructor(readonly settings: StackSettings = stackSettings()) {
    this.services = [
      new KafkaService(settings),
      new RegistryService(settings),
      new AwsEmulatorService(settings),
    ];
  }

  /** Installs what is missing and starts what is not answering; waits until all are healthy. */
  async up(progress: Progress = () => undefined): Promise<ServiceStatus[]> {
    fs.mkdirSync(this.settings.root, { recursive: true });
    const pending: StackService[] = [];
    for (const service of this.services) {
      if (await service.isHealthy()) progress(`${service.name}: already running at ${service.url}`);
      else pending.push(service);
    }
    checkPrerequisites(pending);

    // Maven installs run one after the other (they share one local repository); pip beside them.
    const toInstall = pending.filter((s) => !s.isInstalled());
    const installs = [
      (async () => {
        for (const s of toInstall.filter((s) => s.name !== "aws"))
          await timed(s.name, () => s.install(progress), progress);
      })(),
      ...toInstall
        .filter((s) => s.name === "aws")
        .map((s) => timed(s.name, () => s.install(progress), progress)),
    ];
    await Promise.all(installs);

    // Each service starts as soon as the services it depends on answer, the others at once.
    const started = new Map<string, Promise<void>>();
    for (const service of pending) {
      const dependencies = (service.dependsOn ?? []).map((name) => started.get(name) ?? Promise.resolve());
      started.set(
        service.name,
        Promise.all(dependencies).then(() => this.start(service, progress)),
      );
    }
    await Promise.all(started.values());
    await ensureSecretsKey(stackEndpoints(this.settings), progress);
    return this.status();
  }

  private async start(service: StackService, progress: Progress): Promise<void> {
    const started = Date.now();
    if (!runningProcess(service.pidFile, service.marker)) {
      const spec = await service.prepareLaunch();
      const { pid } = launchDetached(spec);
      progress(`${service.name}: started (pid ${pid}), waiting for ${service.url}`);
    } else {
      progress(`${service.name}: process is up, waiting for ${service.url} to answer`);
    }
    try {
      await waitFor(
        async () => {
          if (!runningProcess(service.pidFile, service.marker)) throw new ExitedError(service);
          return service.isHealthy();
        },
        {
          timeoutMs: service.startTimeoutMs,
          intervalMs: 250,
          description: `${service.name} at ${service.url}`,
        },
      );
    } catch (error) {
      const reason = errorMessage(error);
      throw new Error(
        `${service.name} did not come up: ${reason}. Its log is ${service.logFile}; last lines:\n${tail(service.logFile, 15)}`,
      );
    }
    progress(`${service.name}: healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** Stops only the processes we started, by recorded pid (all services, or those named). */
  async down(progress: Progress = () => undefined, only?: readonly string[]): Promise<void> {
    await Promise.all(
      this.services
        .filter((service) => !only || only.includes(service.name))
        .map(async (service) => {
          const stopped = await stopProcess(service.pidFile, service.marker);
          progress(stopped ? `${service.name}: stopped` : `${service.name}: was not running`);
        }),
    );
  }

  async status(): Promise<ServiceStatus[]> {
    const statuses = await Promise.all(
      this.services.map(async (service) => {
        const process = runningProcess(service.pidFile, service.marker);
        return {
          name: service.name,
          url: service.url,
          pid: process?.pid ?? null,
          healthy: await service.isHealthy(),
          rssMiB: process ? (residentMemoryMiB(process.pid) ?? null) : null,
          logFile: service.logFile,
        };
      }),
    );
    const kafka = statuses.find((s) => s.name === "kafka");
    const registry = statuses.find((s) => s.name === "registry");
    if (kafka?.healthy && registry?.healthy) {
      const problem = await this.registryProblem();
      if (problem) Object.assign(registry, { healthy: false, problem });
    }
    return statuses;
  }

  /** A registry that answers but has lost schemas that Kafka's records still name is not healthy. */
  private async registryProblem(): Promise<string | undefined> {
    const endpoints = stackEndpoints(this.settings);
    try {
      const result = await checkRegistryAgainstKafka({
        brokers: endpoints.kafkaBrokers,
        registryUrl: endpoints.schemaRegistryUrl,
        topics: domainTopics(topicPrefixSetting(process.env)),
      });
      return describeInconsistency(result, path.join(this.settings.root, "data"));
    } catch {
      return undefined; // the services' own health checks already say whether they answer
    }
  }
}

class ExitedError extends Error {
  constructor(service: StackService) {
    super(`the ${service.name} process exited`);
  }
}

function checkPrerequisites(services: readonly StackService[]): void {
  const missing = new Map<string, string>();
  for (const service of services) {
    for (const p of service.prerequisites) {
      if (missing.has(p.command)) continue;
      const result = spawnSync(p.command, p.args, { stdio: "ignore" });
      if (result.error || result.status !== 0) missing.set(p.command, p.hint);
    }
  }
  if (missing.size > 0) {
    const lines = [...missing].map(([command, hint]) => `  - ${command}: ${hint}`);
    throw new Error(`the local stack needs programs that are not on this machine:\n${lines.join("\n")}`);
  }
}

async function timed(name: string, work: () => Promise<void>, progress: Progress): Promise<void> {
  const started = Date.now();
  const ticker = setInterval(
    () => progress(`${name}: still installing (${Math.round((Date.now() - started) / 1000)} s)`),
    15_000,
  );
  try {
    await work();
    progress(`${name}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    clearInterval(ticker);
  }
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log yet)";
  }
}
