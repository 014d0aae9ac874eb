import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONNECTOR_NODE_FLAGS } from "../connectors/node-flags";
import { findProjectRoot } from "../src/project-root";

/** A real `eventstreams connector` process, to be stopped politely or killed outright. */
export interface ConnectorProcess {
  child: ChildProcess;
  /** What it logged (JSON lines on stderr), for failure messages. */
  output(): string;
  /** The whole log, kept under .stack/logs/tests/ for a look after a failure. */
  logFile: string;
  exited: Promise<number | null>;
}

export function spawnConnector(env: Record<string, string>): ConnectorProcess {
  const root = findProjectRoot();
  const logDir = path.join(root, ".stack", "logs", "tests");
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `connector-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.log`);
  // The child writes its log straight to the file: through a pipe, every line would be work for
  // this process too, which in a benchmark is also the one timing deliveries.
  const fd = fs.openSync(logFile, "a");
  const child = spawn(
    "node",
    [...CONNECTOR_NODE_FLAGS, path.join(root, "bin/eventstreams.js"), "connector"],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: "info", LOG_PRETTY: "0", ...env },
      stdio: ["ignore", "ignore", fd],
    },
  );
  fs.closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const output = () => {
    const text = fs.readFileSync(logFile, "utf8");
    return text.slice(-20_000);
  };
  return { child, output, logFile, exited };
}
