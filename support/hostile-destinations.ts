import { spawn } from "node:child_process";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { findProjectRoot } from "../src/project-root";
import { type Reply, startWebhookServer, type WebhookServer } from "./webhook-server";

/** One second per byte, for as long as the client stays. */
function trickle(res: Parameters<NonNullable<Reply["act"]>>[0], text: string): void {
  let i = 0;
  const timer = setInterval(() => {
    if (res.socket?.destroyed || i >= text.length) return clearInterval(timer);
    res.socket?.write(text[i++] as string);
  }, 1_000);
  res.socket?.once("close", () => clearInterval(timer));
}

export interface HostileScenario {
  name: string;
  reply?: (attempt: number) => Reply;
  tlsStall?: true;
  /** A 410 pauses the stream: its first delivery is dead-lettered, the rest wait for a resume. */
  pauses?: true;
  /** The most bytes of one answer's body the receiver got to write before the client hung up. */
  mostWritten?: () => number;
}

const BIG_BODY_CHUNKS = 50;
const BIG_BODY_CHUNK = Buffer.alloc(1024 * 1024, 97);
let bigBodyMostWritten = 0;

/** What a hostile tenant's destination answers, one scenario at a time (tests and benchmarks). */
export const HOSTILE_SCENARIOS: HostileScenario[] = [
  {
    name: "Retry-After of 10^13 s",
    reply: () => ({ status: 503, headers: { "retry-after": "10000000000000" } }),
  },
  {
    name: "Retry-After of a date in year 9999",
    reply: () => ({ status: 503, headers: { "retry-after": "Fri, 31 Dec 9999 23:59:59 GMT" } }),
  },
  { name: "Retry-After of -1", reply: () => ({ status: 503, headers: { "retry-after": "-1" } }) },
  { name: "Retry-After of NaN", reply: () => ({ status: 429, headers: { "retry-after": "NaN" } }) },
  {
    name: "a 50 MB body",
    reply: () => ({
      status: 500,
      act: (res) => {
        const length = BIG_BODY_CHUNKS * BIG_BODY_CHUNK.length;
        res.writeHead(500, { "content-type": "text/plain", "content-length": String(length) });
        let sent = 0;
        const more = () => {
          while (sent < BIG_BODY_CHUNKS && !res.destroyed) {
            sent++;
            bigBodyMostWritten = Math.max(bigBodyMostWritten, sent * BIG_BODY_CHUNK.length);
            if (!res.write(BIG_BODY_CHUNK)) return void res.once("drain", more);
          }
          res.end();
        };
        more();
      },
    }),
    mostWritten: () => bigBodyMostWritten,
  },
  {
    name: "headers trickled one byte a second",
    reply: () => ({
      status: 200,
      act: (res) => trickle(res, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
    }),
  },
  {
    name: "a body that never ends",
    reply: () => ({
      status: 500,
      act: (res) => {
        res.writeHead(500, { "content-type": "text/plain" });
        const timer = setInterval(
          () => (res.destroyed ? clearInterval(timer) : res.write("x".repeat(1024))),
          50,
        );
        res.once("close", () => clearInterval(timer));
      },
    }),
  },
  { name: "a TLS handshake that stalls", tlsStall: true },
  {
    name: "a 301 to 127.0.0.1",
    reply: () => ({ status: 301, headers: { location: "https://127.0.0.1/b" } }),
  },
  {
    name: "a connection reset after every request",
    reply: () => ({ status: 200, act: (res) => res.socket?.destroy() }),
  },
  { name: "410, then 200", reply: (attempt) => ({ status: attempt === 1 ? 410 : 200 }), pauses: true },
];

/**
 * The receivers both the attack suite and the benchmark stand up: one HTTPS server whose answer
 * depends on the path (a healthy 204 unless a hostile reply is routed there), and a TCP server that
 * accepts and never speaks (a TLS handshake that stalls).
 */
export interface HostileReceivers {
  server: WebhookServer;
  /** The endpoint of a scenario at `path`, its hostile answer routed there. */
  endpoint(scenario: HostileScenario | undefined, path: string): string;
  close(): Promise<void>;
}

export async function startHostileReceivers(): Promise<HostileReceivers> {
  const server = await startWebhookServer("hostile.test");
  const replies = new Map<string, (attempt: number) => Reply>();
  const attempts = new Map<string, number>();
  server.reply = (request) => {
    const path = request.path.split("?")[0] ?? "";
    // A scenario's answer serves its path and every path under it (`/a/3` serves `/a/3/<stream>`).
    const reply = replies.get(path) ?? replies.get(path.split("/").slice(0, 3).join("/"));
    if (!reply) return { status: 204 };
    const attempt = (attempts.get(path) ?? 0) + 1;
    attempts.set(path, attempt);
    return reply(attempt);
  };
  const stalled = new Set<Socket>();
  const stall = createServer((socket) => {
    stalled.add(socket);
    socket.on("error", () => undefined);
    socket.once("close", () => stalled.delete(socket));
  });
  await new Promise<void>((resolve) => stall.listen(0, "127.0.0.1", resolve));
  return {
    server,
    endpoint: (scenario, path) => {
      if (scenario?.reply) replies.set(path, scenario.reply);
      return scenario?.tlsStall
        ? `https://127.0.0.1:${(stall.address() as AddressInfo).port}${path}`
        : server.url("127.0.0.1", path);
    },
    close: async () => {
      for (const socket of stalled) socket.destroy();
      await new Promise<void>((resolve) => stall.close(() => resolve()));
      await server.close();
    },
  };
}

/**
 * The hostile receivers in a child process (support/hostile-receivers-process.ts), for a benchmark
 * that times a healthy receiver in its own process: a 50 MB answer costs its sender CPU, and on
 * one process it would be the healthy receiver's clock that lagged. The CA is the child's
 * self-signed certificate.
 */
export async function spawnHostileReceivers(): Promise<{
  endpoint(scenario: HostileScenario, path: string): string;
  ca: string;
  close(): Promise<void>;
}> {
  const script = join(findProjectRoot(), "support", "hostile-receivers-process.ts");
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the hostile receivers exited (${code}) before starting`)));
  });
  lines.close();
  const { port, stallPort, ca } = JSON.parse(first) as { port: number; stallPort: number; ca: string };
  return {
    endpoint: (scenario, path) => {
      const index = HOSTILE_SCENARIOS.indexOf(scenario);
      return `https://127.0.0.1:${scenario.tlsStall ? stallPort : port}/a/${index}${path}`;
    },
    ca,
    close: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** A port nothing listens on now, for a child process's ops server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A connector process's event-loop lag since the last scrape of its /metrics, in ms (prom-client's
 * histogram, which each scrape resets).
 */
export async function connectorLoopLag(opsUrl: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1]) * 1000;
  return { p99: read("nodejs_eventloop_lag_p99_seconds"), max: read("nodejs_eventloop_lag_max_seconds") };
}
