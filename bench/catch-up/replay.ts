/**
 * Catch-up and replay rates (issue 19), and what they cost a live stream beside them: project A
 * has a backlog of N events (a pause, N events, a resume), then a replay of them all; project B
 * delivers live at 100 events/s all along to the same HTTPS receiver. Prints and writes as JSON:
 * the catch-up's and the replay's events per second, and B's p50/p99 latency before, during the
 * catch-up and during the replay.
 *
 * Usage: npm run bench:replay -- [--events 20000] [--rate 500]
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as os from "node:os";
import { parseArgs } from "node:util";
import pino from "pino";
import { startApi } from "../../apps/api/api";
import { apiSettings } from "../../src/settings/api-settings";
import { delay, waitFor } from "../../src/util/wait-for";
import { spawnConnector } from "../../support/connector-process";
import { createPipeline } from "../../support/pipeline";
import { startWebhookServer, trustedReceiverEnv } from "../../support/webhook-server";
import { percentile, round } from "../producer/stats";
import { writeBenchResult } from "../results";

const { values } = parseArgs({
  options: { events: { type: "string", default: "20000" }, rate: { type: "string", default: "500" } },
});
const events = Number(values.events);
const rate = Number(values.rate);
const say = (line: string) => process.stderr.write(`[bench:replay] ${line}\n`);

async function main(): Promise<void> {
  const server = await startWebhookServer();
  const pipeline = await createPipeline(6);
  const env = { ...pipeline.env, ...trustedReceiverEnv(server), EVENTSTREAMS_CATCH_UP_RATE: String(rate) };
  Object.assign(process.env, env);
  const token = randomBytes(24).toString("base64url");
  const api = await startApi(
    {
      ...apiSettings({}, process.env),
      port: 0,
      configTopic: pipeline.topics.config,
      tokens: { adminTokens: [token], projectTokens: {} },
    },
    { logger: pino({ level: "warn" }) },
  );
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const [a, b] = [randomUUID(), randomUUID()];
  const streamOf = async (projectId: string) => {
    const created = await call("POST", `/projects/${projectId}/eventstreams`, {
      type: "https",
      https_endpoint: server.url("127.0.0.1", `/${projectId}`),
    });
    return `/projects/${projectId}/eventstreams/${created.id}`;
  };
  const aPath = await streamOf(a);
  await streamOf(b);
  const connector = spawnConnector(env);
  const phases: { name: string; from: number; to: number }[] = [];
  let live = true;
  const liveB = (async () => {
    const started = Date.now();
    for (let tick = 0; live; tick++) {
      await pipeline.publisher.publishMany(
        Array.from({ length: 10 }, () => ({ name: "LoginSucceeded" as const, projectId: b })),
      );
      await delay(Math.max(0, started + (tick + 1) * 100 - Date.now()));
    }
  })();
  const ofA = () => server.requests.filter((r) => r.path === `/${a}`).length;
  try {
    await waitFor(() => server.requests.some((r) => r.path === `/${b}`), {
      timeoutMs: 60_000,
      description: "B's first delivery",
    });
    let at = Date.now();
    await delay(10_000); // B alone: the baseline stretch, not a readiness wait
    phases.push({ name: "before", from: at, to: Date.now() });

    await call("PATCH", aPath, { status: "paused" });
    say(`A paused; publishing ${events} events for it`);
    for (let sent = 0; sent < events; sent += 500) {
      await pipeline.publisher.publishMany(
        Array.from({ length: Math.min(500, events - sent) }, () => ({
          name: "LoginSucceeded" as const,
          projectId: a,
        })),
      );
    }
    const since = new Date(Date.now() - 60_000).toISOString();
    at = Date.now();
    await call("PATCH", aPath, { status: "active" });
    await waitFor(() => ofA() >= events, {
      timeoutMs: 15 * 60_000,
      intervalMs: 500,
      description: () => `A's backlog delivered (${ofA()} of ${events})`,
    });
    const catchUp = { from: at, to: Date.now() };
    phases.push({ name: "catch-up", ...catchUp });
    say(`catch-up: ${events} in ${round((catchUp.to - catchUp.from) / 1000, 1)} s`);

    at = Date.now();
    const replay = await call("POST", `${aPath}/replays`, { since, rate });
    await waitFor(async () => (await call("GET", `${aPath}/replays/${replay.id}`)).done === true, {
      timeoutMs: 15 * 60_000,
      intervalMs: 500,
      description: () => `A's replay done (${ofA()} deliveries of A)`,
    });
    const replayed = { from: at, to: Date.now() };
    phases.push({ name: "replay", ...replayed });
    say(`replay: ${events} in ${round((replayed.to - replayed.from) / 1000, 1)} s`);
  } finally {
    live = false;
    await liveB;
    connector.child.kill("SIGKILL");
    await connector.exited;
    await api.close();
    await pipeline.close();
    await server.close();
  }
  // B's latency, receipt minus event time, per phase.
  const latencyOfB = (from: number, to: number) => {
    const ms = server.requests
      .filter((r) => r.path === `/${b}` && r.at >= from && r.at < to)
      .map((r) => r.at - Date.parse((JSON.parse(r.body) as { timestamp: string }).timestamp))
      .sort((x, y) => x - y);
    const sorted = Float64Array.from(ms);
    return { events: ms.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
  };
  const byPhase = Object.fromEntries(
    phases.map((p) => [p.name, { seconds: round((p.to - p.from) / 1000, 1), b: latencyOfB(p.from, p.to) }]),
  );
  const perSecond = (name: string) => {
    const p = phases.find((x) => x.name === name);
    return p ? Math.round(events / ((p.to - p.from) / 1000)) : 0;
  };
  const report = {
    bench: "replay",
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    command: `npm run bench:replay -- --events ${events} --rate ${rate}`,
    events,
    rateLimit: rate,
    catchUpEventsPerSecond: perSecond("catch-up"),
    replayEventsPerSecond: perSecond("replay"),
    phases: byPhase,
  };
  console.log(JSON.stringify(report, null, 2));
  say(`wrote ${writeBenchResult("replay", report)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
