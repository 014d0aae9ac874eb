import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot } from "../src/project-root";
import { waitFor } from "../src/util/wait-for";

/** A real `eventstreams api` process on its own port, to be stopped or killed outright. */
export interface ApiProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once /readyz says ready. */
  ready(timeoutMs?: number): Promise<void>;
}

export function spawnApi(env: Record<string, string>, port: number): ApiProcess {
  const root = findProjectRoot();
  const logDir = path.join(root, ".stack", "logs", "tests");
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `api-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.log`);
  const fd = fs.openSync(logFile, "a");
  const child = spawn("node", [path.join(root, "bin/eventstreams.js"), "api", "--port", String(port)], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "info", LOG_PRETTY: "0", ...env },
    stdio: ["ignore", "ignore", fd],
  });
  fs.closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const output = () => fs.readFileSync(logFile, "utf8").slice(-20_000);
  const ready = (timeoutMs = 60_000) =>
    waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}):\n${output()}`);
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        return response?.status === 200;
      },
      { timeoutMs, intervalMs: 200, description: () => `the API at ${url} ready\n${output()}` },
    ).then(() => undefined);
  return { child, url, output, exited, ready };
}
