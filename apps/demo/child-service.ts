import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot } from "../../src/project-root";
import { waitFor } from "../../src/util/wait-for";

/** A product process (API, connector) the demo runs as a child, its JSON logs in a file. */
export class ChildService {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    args: string[],
    env: Record<string, string>,
    readonly logFile: string,
    nodeFlags: readonly string[] = [],
  ) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const log = fs.openSync(logFile, "w");
    const root = findProjectRoot();
    this.child = spawn(process.execPath, [...nodeFlags, path.join(root, "bin/eventstreams.js"), ...args], {
      cwd: root,
      env: { ...process.env, LOG_PRETTY: "0", ...env },
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
  }

  /** Polls its readiness URL; fails at once, naming the log, if the process exits instead. */
  async waitReady(url: string, timeoutMs = 60_000): Promise<void> {
    const ready = waitFor(
      async () => {
        const response = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
        return response?.ok === true;
      },
      {
        timeoutMs,
        intervalMs: 250,
        description: () => `${this.name} to be ready at ${url} (log: ${this.logFile})`,
      },
    );
    const exited = this.exited.then(() => {
      throw new Error(`${this.name} exited before it was ready: see ${this.logFile}`);
    });
    await Promise.race([ready, exited]);
  }

  /** SIGTERM: the process finishes in-flight work and exits; SIGKILL if it takes too long. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
