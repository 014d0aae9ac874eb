import * as fs from "node:fs";
import * as path from "node:path";
import { type StackSettings, VERSIONS } from "../../../src/settings/stack-settings";
import type { LaunchSpec } from "../processes";
import { runToLog } from "../run-command";
import { JAVA_AND_MAVEN, type StackService } from "../service";

/**
 * Apicurio Registry serving the Confluent-compatible REST API under /apis/ccompat/v7, with its
 * KafkaSQL storage: every change is a record in a compacted journal topic on the stack's own broker
 * (as Confluent's registry keeps `_schemas`), replayed into memory on start. So the registry's
 * state is exactly as durable as Kafka's records that name its schema ids: a restart or a SIGKILL
 * keeps every subject, version and id, and wiping Kafka's data wipes both together. 3.0.9 is the
 * newest 3.x whose `all` archive runs on Java 17 (3.1 and later are built for Java 21).
 */
export const REGISTRY_TOPICS = {
  journal: "_registry-journal",
  snapshots: "_registry-snapshots",
  events: "_registry-events",
} as const;

export function registryEnvironment(s: StackSettings): Record<string, string> {
  return {
    QUARKUS_HTTP_HOST: s.host,
    QUARKUS_HTTP_PORT: String(s.registryPort),
    QUARKUS_PROFILE: "prod",
    APICURIO_STORAGE_KIND: "kafkasql",
    APICURIO_KAFKASQL_BOOTSTRAP_SERVERS: `${s.host}:${s.kafkaPort}`,
    APICURIO_KAFKASQL_TOPIC: REGISTRY_TOPICS.journal,
    APICURIO_KAFKASQL_SNAPSHOTS_TOPIC: REGISTRY_TOPICS.snapshots,
    APICURIO_EVENTS_KAFKA_TOPIC: REGISTRY_TOPICS.events,
    // Its start-up waits one poll of the snapshots topic before replaying the journal: 100 ms
    // instead of the default 1 s brings a restart from ~9 s to ~4 s (snapshots are not used here).
    APICURIO_KAFKASQL_CONSUMER_POLL_TIMEOUT: "100",
  };
}

export class RegistryService implements StackService {
  readonly name = "registry" as const;
  readonly startTimeoutMs = 90_000;
  /** Its storage is a topic on the stack's broker. */
  readonly dependsOn = ["kafka"] as const;
  readonly prerequisites = JAVA_AND_MAVEN;
  private readonly home: string;
  readonly logFile: string;
  readonly pidFile: string;
  readonly marker: string;

  constructor(private readonly settings: StackSettings) {
    this.home = path.join(settings.root, "registry");
    this.logFile = path.join(settings.root, "logs", "registry.log");
    this.pidFile = path.join(settings.root, "run", "registry.pid");
    this.marker = `-Deventstreams.stack=${settings.root}`;
  }

  get url(): string {
    return `http://${this.settings.host}:${this.settings.registryPort}/apis/ccompat/v7`;
  }

  private get runnerJar(): string {
    return path.join(this.home, "app", `apicurio-registry-app-${VERSIONS.apicurio}-runner.jar`);
  }

  isInstalled(): boolean {
    return fs.existsSync(path.join(this.home, ".complete")) && fs.existsSync(this.runnerJar);
  }

  async install(progress: (line: string) => void): Promise<void> {
    const artifact = `io.apicurio:apicurio-registry-app:${VERSIONS.apicurio}:tar.gz:all`;
    progress(`registry: fetching ${artifact} with Maven (about 150 MB)`);
    const installLog = path.join(this.settings.root, "logs", "registry-install.log");
    const archiveDir = path.join(this.home, "archive");
    await runToLog(
      "mvn",
      [
        "-B",
        "-q",
        `-Dmaven.repo.local=${path.join(this.settings.root, "m2")}`,
        "dependency:copy",
        `-Dartifact=${artifact}`,
        `-DoutputDirectory=${archiveDir}`,
      ],
      { cwd: this.settings.root, logFile: installLog },
    );
    const appDir = path.join(this.home, "app");
    fs.rmSync(appDir, { recursive: true, force: true });
    fs.mkdirSync(appDir, { recursive: true });
    progress("registry: unpacking");
    await runToLog(
      "tar",
      ["xzf", path.join(archiveDir, `apicurio-registry-app-${VERSIONS.apicurio}-all.tar.gz`), "-C", appDir],
      { cwd: this.home, logFile: installLog },
    );
    fs.rmSync(archiveDir, { recursive: true, force: true });
    fs.writeFileSync(path.join(this.home, ".complete"), new Date().toISOString());
  }

  async prepareLaunch(): Promise<LaunchSpec> {
    return {
      command: "java",
      args: [this.marker, "-Xms128m", "-Xmx512m", "-jar", this.runnerJar],
      cwd: path.dirname(this.runnerJar),
      env: registryEnvironment(this.settings),
      logFile: this.logFile,
      pidFile: this.pidFile,
      marker: this.marker,
    };
  }

  /**
   * Ready only once the journal is replayed: before that, the API would answer from an empty store
   * and a client could take that for the truth.
   */
  async isHealthy(): Promise<boolean> {
    const root = `http://${this.settings.host}:${this.settings.registryPort}`;
    return (await httpOk(`${root}/health/ready`)) && (await httpOk(`${this.url}/subjects`));
  }
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
