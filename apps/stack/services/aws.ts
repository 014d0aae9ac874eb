import * as fs from "node:fs";
import * as path from "node:path";
import { type StackSettings, VERSIONS } from "../../../src/settings/stack-settings";
import type { LaunchSpec } from "../processes";
import { runToLog } from "../run-command";
import type { StackService } from "../service";
import { httpOk } from "./registry";

/** moto's server, an AWS emulator (SNS, SQS, STS, IAM, Kinesis, Firehose...), in a local venv. */
export class AwsEmulatorService implements StackService {
  readonly name = "aws" as const;
  readonly startTimeoutMs = 60_000;
  readonly prerequisites = [
    {
      command: "python3",
      args: ["-m", "venv", "--help"],
      hint: "install Python 3 with venv (Debian: apt-get install python3 python3-venv)",
    },
  ];
  private readonly venv: string;
  readonly logFile: string;
  readonly pidFile: string;
  readonly marker: string;

  constructor(private readonly settings: StackSettings) {
    this.venv = path.join(settings.root, "aws", "venv");
    this.logFile = path.join(settings.root, "logs", "aws.log");
    this.pidFile = path.join(settings.root, "run", "aws.pid");
    this.marker = this.venv;
  }

  get url(): string {
    return `http://${this.settings.host}:${this.settings.awsPort}`;
  }

  private get server(): string {
    return path.join(this.venv, "bin", "moto_server");
  }

  isInstalled(): boolean {
    return fs.existsSync(path.join(this.venv, ".complete")) && fs.existsSync(this.server);
  }

  async install(progress: (line: string) => void): Promise<void> {
    progress(`aws: installing moto[server]==${VERSIONS.moto} into a virtualenv`);
    const installLog = path.join(this.settings.root, "logs", "aws-install.log");
    const env = {
      PIP_CACHE_DIR: path.join(this.settings.root, "cache", "pip"),
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
    };
    fs.rmSync(this.venv, { recursive: true, force: true });
    await runToLog("python3", ["-m", "venv", this.venv], { cwd: this.settings.root, logFile: installLog });
    await runToLog(path.join(this.venv, "bin", "pip"), ["install", "-q", `moto[server]==${VERSIONS.moto}`], {
      cwd: this.settings.root,
      logFile: installLog,
      env,
    });
    fs.writeFileSync(path.join(this.venv, ".complete"), new Date().toISOString());
  }

  async prepareLaunch(): Promise<LaunchSpec> {
    return {
      command: this.server,
      args: ["-H", this.settings.host, "-p", String(this.settings.awsPort)],
      cwd: path.dirname(this.venv),
      logFile: this.logFile,
      pidFile: this.pidFile,
      marker: this.marker,
    };
  }

  async isHealthy(): Promise<boolean> {
    // The dashboard page is constant-size; data.json dumps all emulated state and slows as it grows.
    return httpOk(`${this.url}/moto-api/`);
  }
}
