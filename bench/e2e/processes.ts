/** Child processes of the end-to-end benchmark (fake SNS, connector) and what /proc says of them. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { CONNECTOR_NODE_FLAGS } from "../../connectors/node-flags";
import { findProjectRoot } from "../../src/project-root";

const root = findProjectRoot();
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  return cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

/** utime + stime of a process's or thread's stat line, in seconds. */
function cpuSecondsOfStat(stat: string): number {
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * CPU seconds so far by kind of thread, from /proc/<pid>/task/<tid>/stat: Node names its threads, so
 * the event loop ("MainThread"), the delivery threads ("WorkerThread"), V8's background work
 * (garbage collection helpers and the optimising compiler, "V8Worker") and libuv's pool come apart.
 * A thread that ended meanwhile takes its seconds with it: compare runs of a steady process only.
 */
export function cpuSecondsByThread(pid: number): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const kind = THREAD_KINDS[name.replace(/\d+$/, "")] ?? "other";
    byKind[kind] = (byKind[kind] ?? 0) + cpuSecondsOfStat(stat);
  }
  return byKind;
}

const THREAD_KINDS: Record<string, string> = {
  MainThread: "eventLoop",
  WorkerThread: "deliveryThreads",
  V8Worker: "v8Background",
  "libuv-worker": "libuvPool",
};

/** Peak resident memory (VmHWM) in MiB, from /proc/<pid>/status. */
export function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}

/** One second of receipt at the fake SNS: events timed and their latency percentiles (ms). */
export interface LatencySecond {
  second: number;
  events: number;
  p50: number;
  p99: number;
  max: number;
}

export interface FakeSns {
  url: string;
  stats(): Promise<{
    messages: number;
    requests: number;
    unique: number;
    /** Unique events published since the last reset (the ones `latencies` covers). */
    timed: number;
    first: number;
    last: number;
    /** [n] = requests that carried n events. */
    batchSizes: number[];
    /** Requests answered `Throttling` (see network). */
    throttled: number;
  }>;
  /** Holds every answer `delayMs` (+ up to `jitterMs`); throttles past `throttleRps` requests a second. */
  network(settings: { delayMs?: number; jitterMs?: number; throttleRps?: number }): Promise<void>;
  /** Accepted requests per second since the last reset: [second, requests]. */
  accepted(): Promise<[number, number][]>;
  latencies(): Promise<number[]>;
  /** Per second since the last reset: events timed and their p50/p99/max latency (ms). */
  timeline(): Promise<LatencySecond[]>;
  /** Receipt time (ms) of every unique event and of each topic's first message, since the last reset. */
  arrivals(): Promise<{ uniqueAt: number[]; topicFirst: number[] }>;
  reset(): Promise<void>;
  stop(): void;
}

export async function startFakeSns(): Promise<FakeSns> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/e2e/fake-sns.ts")], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`fake SNS exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", resolve);
  });
  const url = `http://127.0.0.1:${port.trim()}`;
  const get = async <T>(route: string) => (await (await fetch(`${url}${route}`)).json()) as T;
  return {
    url,
    stats: () => get("/__stats"),
    latencies: () => get("/__latencies"),
    timeline: () => get("/__timeline"),
    arrivals: () => get("/__arrivals"),
    network: async ({ delayMs = 0, jitterMs = 0, throttleRps = 0 }) =>
      void (await get(`/__network?delayMs=${delayMs}&jitterMs=${jitterMs}&throttleRps=${throttleRps}`)),
    accepted: () => get("/__accepted"),
    reset: async () => void (await get("/__reset")),
    stop: () => void child.kill("SIGTERM"),
  };
}

export interface Connector {
  child: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
  /** SIGTERM (the connector stops cleanly; a --cpu-prof run writes its profile then), bounded wait. */
  stop(): Promise<void>;
}

export function spawnConnector(env: Record<string, string>, logFile: string, nodeFlags: string[] = []) {
  const child = spawn(
    process.execPath,
    [...CONNECTOR_NODE_FLAGS, ...nodeFlags, path.join(root, "bin/eventstreams.js"), "connector"],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: "info", LOG_PRETTY: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stderr?.pipe(createWriteStream(logFile));
  // Only node's own diagnostics (--trace-gc and the like) write to stdout.
  child.stdout?.pipe(createWriteStream(`${logFile}.stdout`));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const stop = async () => {
    child.kill("SIGTERM");
    const timeout = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timeout);
  };
  return { child, pid: child.pid as number, exited, stop } satisfies Connector;
}

/** Polls until `done` says so or the deadline passes; returns whether it finished. */
export async function waitFor(done: () => Promise<boolean>, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}

/** Resident memory now (VmRSS) in MiB, from /proc/<pid>/status. */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}

/** Where a connector's memory was when its RSS peaked: per thread, V8 heap used and reserved (MiB). */
export interface MemoryAtPeak {
  rssMiB: number;
  heapMiB: Record<string, Record<string, number>>;
}

/**
 * Samples a connector's RSS and its `eventstreams_heap_bytes` gauges every `everyMs` until
 * stopped; returns the sample taken at the highest RSS.
 */
export function sampleMemory(pid: number, metricsUrl: string, everyMs = 1000) {
  let peak: MemoryAtPeak = { rssMiB: 0, heapMiB: {} };
  let running = true;
  const loop = (async () => {
    while (running) {
      const rss = rssMiB(pid);
      const heapMiB: MemoryAtPeak["heapMiB"] = {};
      const text = await fetch(metricsUrl)
        .then((r) => r.text())
        .catch(() => "");
      for (const m of text.matchAll(
        /^eventstreams_heap_bytes\{thread="([^"]+)",measure="([^"]+)"\} (\d+)/gm,
      )) {
        const [, thread, measure, bytes] = m as unknown as [string, string, string, string];
        heapMiB[thread] = { ...heapMiB[thread], [measure]: Math.round(Number(bytes) / 1048576) };
      }
      if (rss >= peak.rssMiB && Object.keys(heapMiB).length > 0) peak = { rssMiB: rss, heapMiB };
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async (): Promise<MemoryAtPeak> => {
      running = false;
      await loop;
      return peak;
    },
  };
}
