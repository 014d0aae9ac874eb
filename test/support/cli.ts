import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { waitFor } from "../../src/util/wait-for";

const BIN = path.join(__dirname, "../../bin/eventstreams.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `eventstreams <args>` from the compiled dist/ (build first), as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** `eventstreams api` on a free port; resolves once it said where it listens (it is ready then). */
export async function spawnApi(env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const child = spawn(process.execPath, [BIN, "api"], {
    env: { ...process.env, EVENTSTREAMS_API_PORT: "0", LOG_PRETTY: "0", ...env },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`eventstreams api exited: ${output}`);
      return /listening on (http:\/\/\S+)/.exec(output)?.[1];
    },
    { timeoutMs: 30_000, intervalMs: 50, description: "eventstreams api to listen" },
  );
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
