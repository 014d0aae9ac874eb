import * as fs from "node:fs";
import * as path from "node:path";
import type { LaunchSpec } from "../processes";
import { runToLog } from "../run-command";
import type { StackService } from "../service";
import { type StackSettings, VERSIONS } from "../settings";

/**
 * Apicurio Registry with in-memory storage, serving the Confluent-compatible REST API under
 * /apis/ccompat/v7. 3.0.9 is the newest 3.x whose `all` archive runs on Java 17 (3.1 and later
 * are built for Java 21).
 */
export function registryEnvironment(s: StackSettings): Record<string, string> {
  return {
    QUARKUS_HTTP_HOST: s.host,
    QUARKUS_HTTP_PORT: String(s.registryPort),
    QUARKUS_PROFILE: "prod",
    APICURIO_STORAGE_KIND: "sql",
    APICURIO_STORAGE_SQL_KIND: "h2",
  };
}

export class RegistryService implements StackService {
  readonly name = "registry" as const;
  readonly startTimeoutMs = 90_000;
  readonly prerequisites = [
    {
      command: "java",
      args: ["-version"],
      hint: "install Java 17 (Debian: apt-get install openjdk-17-jre-headless)",
    },
    { command: "mvn", args: ["-v"], hint: "install Maven (Debian: apt-get install maven)" },
  ];
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

  async isHealthy(): Promise<boolean> {
    return httpOk(`${this.url}/subjects`);
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
