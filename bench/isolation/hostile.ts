/**
 * Isolation against hostile tenants (issue 17): project B's events flow at a steady rate to a
 * healthy HTTPS receiver. In turn: B alone, B beside a healthy A at the same rate, and B beside A
 * answering each hostile way of support/hostile-destinations.ts. The connector is the real process
 * (`eventstreams connector`, its defaults but for a short retry ladder); every tenant shares one
 * partition. Prints B's delivered rate, p50/p99 end-to-end latency and the connector's loop delay
 * per scenario, and writes them as JSON to bench/results/.
 *
 * Usage: npm run bench:isolation -- --hostile [--rate 100] [--seconds 10] [--only <part of a name>]
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import * as os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateSecret } from "../../connectors/sinks/https/signature";
import type { DomainEvent } from "../../src/events/domain-event";
import { findProjectRoot } from "../../src/project-root";
import { delay, waitFor } from "../../src/util/wait-for";
import { spawnConnector } from "../../support/connector-process";
import { HOSTILE_SCENARIOS, type HostileScenario } from "../../support/hostile-destinations";
import { createPipeline } from "../../support/pipeline";
import { type Reply, startWebhookServer, trustedReceiverEnv } from "../../support/webhook-server";
import { percentile, round } from "../producer/stats";

const { values } = parseArgs({
  options: {
    hostile: { type: "boolean", default: true },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    /** Only the hostile scenarios whose name contains this (B alone and beside a healthy A always run). */
    only: { type: "string", default: "" },
  },
  strict: false,
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
/** Longer than the HTTPS sink's request timeout (10 s). */
const SETTLE_MS = 12_000;
const say = (line: string) => process.stderr.write(`[bench:isolation --hostile] ${line}\n`);

interface Row {
  scenario: string;
  published: number;
  delivered: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  duplicates: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

async function main(): Promise<void> {
  const server = await startWebhookServer();
  const replies = new Map<string, (attempt: number) => Reply>();
  const attempts = new Map<string, number>();
  server.reply = (request) => {
    const at = request.path.split("?")[0] ?? "";
    const reply = replies.get(at);
    if (!reply) return { status: 204 };
    const attempt = (attempts.get(at) ?? 0) + 1;
    attempts.set(at, attempt);
    return reply(attempt);
  };
  const stalled = new Set<Socket>();
  const stall: Server = createServer((socket) => {
    stalled.add(socket);
    socket.on("error", () => undefined);
    socket.once("close", () => stalled.delete(socket));
  });
  await new Promise<void>((resolve) => stall.listen(0, "127.0.0.1", resolve));
  const pipeline = await createPipeline(1);
  const projectB = randomUUID();
  await pipeline.addStream({
    projectId: projectB,
    type: "https",
    config: { httpsEndpoint: server.url("127.0.0.1", "/b"), secret: generateSecret() },
  });
  const scenarios: Array<{ name: string; projectA?: string; streamA?: string; hostile?: HostileScenario }> = [
    { name: "B alone" },
    { name: "B beside a healthy A", projectA: randomUUID() },
    ...HOSTILE_SCENARIOS.filter((h) => h.name.includes(String(values.only ?? ""))).map((hostile) => ({
      name: `B beside A: ${hostile.name}`,
      projectA: randomUUID(),
      hostile,
    })),
  ];
  for (const s of scenarios) {
    if (!s.projectA) continue;
    const at = `/a/${randomUUID()}`;
    if (s.hostile?.reply) replies.set(at, s.hostile.reply);
    const endpoint = s.hostile?.tlsStall
      ? `https://127.0.0.1:${(stall.address() as AddressInfo).port}${at}`
      : server.url("127.0.0.1", at);
    const stream = await pipeline.addStream({
      projectId: s.projectA,
      type: "https",
      config: { httpsEndpoint: endpoint, secret: generateSecret() },
    });
    s.streamA = stream.id;
  }
  const opsPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const ops = `http://127.0.0.1:${opsPort}`;
  const connector = spawnConnector({
    ...pipeline.env,
    ...trustedReceiverEnv(server),
    EVENTSTREAMS_OPS_PORT: String(opsPort),
    EVENTSTREAMS_RETRY_LADDER: "1s,5s",
  });
  await waitFor(async () => (await fetch(`${ops}/readyz`).catch(() => undefined))?.ok, {
    timeoutMs: 60_000,
    description: "the connector ready",
  });
  const loopLag = async () => {
    const text = await (await fetch(`${ops}/metrics`)).text();
    const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1]) * 1000;
    return { p99: read("nodejs_eventloop_lag_p99_seconds"), max: read("nodejs_eventloop_lag_max_seconds") };
  };

  const rows: Row[] = [];
  try {
    for (const s of scenarios) {
      say(`${s.name}: ${rate} events/s for ${seconds} s`);
      const startIndex = server.requests.length;
      await loopLag();
      const sent = new Map<string, DomainEvent>();
      const started = Date.now();
      for (let tick = 0; tick < seconds * 10; tick++) {
        const per = Math.round(rate / 10);
        const name = "IdentityCreated";
        const b = await pipeline.publisher.publishMany(
          Array.from({ length: per }, () => ({ name, projectId: projectB })),
        );
        for (const e of b) sent.set(e.id, e);
        if (s.projectA) {
          await pipeline.publisher.publishMany(
            Array.from({ length: per }, () => ({
              name: "LoginSucceeded" as const,
              projectId: s.projectA as string,
            })),
          );
        }
        await delay(Math.max(0, started + (tick + 1) * 100 - Date.now()));
      }
      const atB = () => server.requests.slice(startIndex).filter((r) => r.path === "/b");
      await waitFor(() => new Set(atB().map((r) => String(r.headers["webhook-id"]))).size >= sent.size, {
        timeoutMs: 60_000,
        description: () => `B's ${sent.size} events`,
      });
      const lag = await loopLag();
      const requests = atB();
      const latencies = requests
        .map((r) => r.at - (sent.get(String(r.headers["webhook-id"]))?.timestamp.getTime() ?? r.at))
        .sort((a, b) => a - b);
      const firstAt = Math.min(...requests.map((r) => r.at));
      const lastAt = Math.max(...requests.map((r) => r.at));
      const ids = requests.map((r) => String(r.headers["webhook-id"]));
      const row: Row = {
        scenario: s.name,
        published: sent.size,
        delivered: new Set(ids).size,
        eventsPerSecond: round(new Set(ids).size / Math.max(0.001, (lastAt - firstAt) / 1000), 1),
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies[latencies.length - 1] ?? 0,
        duplicates: ids.length - new Set(ids).size,
        loopP99Ms: round(lag.p99, 1),
        loopMaxMs: round(lag.max, 1),
      };
      say(JSON.stringify(row));
      rows.push(row);
      if (s.streamA) {
        // One hostile tenant at a time: deleting A's stream drops its pending retries, and its calls
        // in flight end within the sink's 10 s timeout, before the next scenario starts.
        await pipeline.removeStream(s.streamA);
        await delay(SETTLE_MS);
      }
    }
  } finally {
    connector.child.kill("SIGKILL");
    await connector.exited;
    for (const socket of stalled) socket.destroy();
    stall.close();
    await pipeline.close();
    await server.close();
  }

  const healthy = rows.find((r) => r.scenario === "B beside a healthy A") as Row;
  const worst = rows
    .filter((r) => r.scenario.startsWith("B beside A:"))
    .reduce((a, b) => (b.p99Ms > a.p99Ms ? b : a));
  const report = {
    bench: "isolation-hostile",
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    rate,
    seconds,
    rows,
    target: {
      rule: "B's p99 beside any hostile A within 1.5x of B beside a healthy A, and B's rate unchanged",
      healthyP99Ms: healthy.p99Ms,
      worstHostile: worst.scenario,
      worstHostileP99Ms: worst.p99Ms,
      ratio: round(worst.p99Ms / Math.max(1, healthy.p99Ms), 2),
      met: worst.p99Ms <= 1.5 * healthy.p99Ms,
    },
  };
  console.log(
    "scenario | B delivered | B events/s | p50 ms | p99 ms | max ms | duplicates | loop p99/max ms",
  );
  for (const r of rows) {
    console.log(
      `${r.scenario} | ${r.delivered}/${r.published} | ${r.eventsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.duplicates} | ${r.loopP99Ms}/${r.loopMaxMs}`,
    );
  }
  console.log(
    `target (B's p99 beside any hostile A <= 1.5x beside a healthy A): worst ${worst.scenario} ${worst.p99Ms} ms vs ${healthy.p99Ms} ms, ${report.target.met ? "met" : "NOT met"}`,
  );
  const dir = path.join(findProjectRoot(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `isolation-hostile-${report.at.replaceAll(":", "-").slice(0, 19)}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  say(`wrote ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
