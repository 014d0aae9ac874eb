import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { findProjectRoot } from "../src/project-root";
import { waitFor } from "../src/util/wait-for";

/** A real `eventstreams api` process (from the compiled dist/), to be stopped or killed outright. */
export interface ApiProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** `eventstreams api` on a free port; resolves once it said where it listens (it is ready then). */
export async function spawnApi(env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const bin = path.join(findProjectRoot(), "bin", "eventstreams.js");
  const child = spawn(process.execPath, [bin, "api"], {
    env: { ...process.env, EVENTSTREAMS_API_PORT: "0", LOG_PRETTY: "0", ...env },
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    // The tail is enough for a failure message; the log must not grow without bound.
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`eventstreams api exited: ${output}`);
      return /listening on (http:\/\/\S+)/.exec(output)?.[1];
    },
    { timeoutMs: 60_000, intervalMs: 50, description: "eventstreams api to listen" },
  );
  return {
    url,
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
