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
  const child = spawn(
    "node",
    [...CONNECTOR_NODE_FLAGS, path.join(root, "bin/eventstreams.js"), "connector"],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: "info", LOG_PRETTY: "0", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const logFile = path.join(root, ".stack", "logs", "tests", `connector-${child.pid}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const file = fs.createWriteStream(logFile);
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    file.write(chunk);
    log = (log + chunk.toString()).slice(-20_000);
  });
  child.once("exit", () => file.end());
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => log, logFile, exited };
}
