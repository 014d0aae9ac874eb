import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { waitFor } from "../../src/util/wait-for";

/**
 * Background processes started by `stack up`, tracked by pid file so that `stack down` stops only
 * what we started. A pid is trusted only while /proc shows a command line that mentions our stack
 * folder: a recycled pid belonging to something else is never signalled.
 */
export interface PidRecord {
  pid: number;
  startedAt: string;
  command: string;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
  /** A string that must appear in the process's command line for the pid to be ours. */
  marker: string;
}

export function launchDetached(spec: LaunchSpec): PidRecord {
  fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
  fs.mkdirSync(path.dirname(spec.pidFile), { recursive: true });
  const log = fs.openSync(spec.logFile, "a");
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${spec.command}: see ${spec.logFile}`);
  child.unref();
  const record: PidRecord = {
    pid: child.pid,
    startedAt: new Date().toISOString(),
    command: [spec.command, ...spec.args].join(" "),
  };
  fs.writeFileSync(spec.pidFile, JSON.stringify(record));
  return record;
}

/** The recorded process if it is still alive and still ours, else undefined. */
export function runningProcess(pidFile: string, marker: string): PidRecord | undefined {
  let record: PidRecord;
  try {
    record = JSON.parse(fs.readFileSync(pidFile, "utf8")) as PidRecord;
  } catch {
    return undefined;
  }
  return isOurs(record.pid, marker) ? record : undefined;
}

function isOurs(pid: number, marker: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie (state Z) has exited; it only waits for its parent to reap it.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && cmdline.includes(marker);
  } catch {
    return false;
  }
}

/** SIGTERM the process group, then SIGKILL whatever is left after the grace period. */
export async function stopProcess(pidFile: string, marker: string, graceMs = 20_000): Promise<boolean> {
  const record = runningProcess(pidFile, marker);
  if (!record) {
    fs.rmSync(pidFile, { force: true });
    return false;
  }
  signalGroup(record.pid, "SIGTERM");
  const exited = await waitFor(() => !isOurs(record.pid, marker), {
    timeoutMs: graceMs,
    intervalMs: 100,
  }).then(
    () => true,
    () => false,
  );
  if (!exited) {
    signalGroup(record.pid, "SIGKILL");
    await waitFor(() => !isOurs(record.pid, marker), { timeoutMs: 5_000, intervalMs: 50 });
  }
  fs.rmSync(pidFile, { force: true });
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Resident memory of a process in MiB, read from /proc (for `stack status`). */
export function residentMemoryMiB(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match?.[1] ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
