/**
 * Duplicates per SIGKILL (issue 18): projects' events flow at a steady rate to a local HTTPS
 * receiver that counts every event id, while the connector process (`eventstreams connector`) is
 * SIGKILLed and started again on a schedule. At the end, after the backlog drained, prints and
 * writes as JSON: events published, delivered, lost (must be 0), duplicates in all and per kill.
 *
 * With --failover: two instances of the group instead, and one of them SIGKILLed once; prints the
 * longest pause of any project's deliveries after the kill, that is how long the survivor took to
 * deliver the killed instance's partitions again (the session timeout is EVENTSTREAMS_SESSION_TIMEOUT_MS).
 *
 * Usage: npm run bench:kills -- [--rate 100] [--kills 10] [--every 3s] [--projects 10] [--failover]
 */
import { randomUUID } from "node:crypto";
import * as os from "node:os";
import { parseArgs } from "node:util";
import { generateSecret } from "../../connectors/sinks/https/signature";
import { DEFAULT_SESSION_TIMEOUT_MS } from "../../src/settings/connector-settings";
import { durationSetting } from "../../src/settings/parse";
import { delay, waitFor } from "../../src/util/wait-for";
import { spawnConnector } from "../../support/connector-process";
import { createPipeline } from "../../support/pipeline";
import { startWebhookServer, trustedReceiverEnv } from "../../support/webhook-server";
import { round } from "../producer/stats";
import { writeBenchResult } from "../results";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "100" },
    kills: { type: "string", default: "10" },
    every: { type: "string", default: "3s" },
    projects: { type: "string", default: "10" },
    failover: { type: "boolean", default: false },
  },
});
const rate = Number(values.rate);
const kills = Number(values.kills);
const everyMs = durationSetting("--every", String(values.every));
const say = (line: string) => process.stderr.write(`[bench:kills] ${line}\n`);

async function main(): Promise<void> {
  const server = await startWebhookServer();
  const pipeline = await createPipeline(3);
  const projects = Array.from({ length: Number(values.projects) }, () => randomUUID());
  for (const projectId of projects) {
    await pipeline.addStream({
      projectId,
      type: "https",
      config: { httpsEndpoint: server.url("127.0.0.1", `/${projectId}`), secret: generateSecret() },
    });
  }
  const env: Record<string, string> = {
    ...pipeline.env,
    ...trustedReceiverEnv(server),
    // The bench's own choice or the connector's default, not the test pipeline's 6 s.
    EVENTSTREAMS_SESSION_TIMEOUT_MS:
      process.env.EVENTSTREAMS_SESSION_TIMEOUT_MS ?? String(DEFAULT_SESSION_TIMEOUT_MS),
  };
  const published: string[] = [];
  let publishing = true;
  const publisher = (async () => {
    const perTick = Math.max(1, Math.round(rate / 10));
    const started = Date.now();
    for (let tick = 0; publishing; tick++) {
      const events = await pipeline.publisher.publishMany(
        Array.from({ length: perTick }, (_, i) => ({
          name: "LoginSucceeded" as const,
          projectId: projects[(tick * perTick + i) % projects.length] as string,
        })),
      );
      published.push(...events.map((e) => e.id));
      await delay(Math.max(0, started + (tick + 1) * 100 - Date.now()));
    }
  })();
  const ids = () => server.requests.map((r) => String(r.headers["webhook-id"]));
  let connector = spawnConnector(env);
  const survivor = values.failover ? spawnConnector(env) : undefined;
  let killedAt = 0;
  try {
    await waitFor(() => ids().length > 0, { timeoutMs: 60_000, description: "the first delivery" });
    if (survivor) {
      // Both members hold partitions once every project's events arrive within a second.
      await delay(everyMs);
      killedAt = Date.now();
      connector.child.kill("SIGKILL");
      await connector.exited;
      say("one of two instances killed");
      await delay(Math.max(everyMs, 45_000));
    }
    for (let k = 1; k <= (survivor ? 0 : kills); k++) {
      await delay(everyMs);
      connector.child.kill("SIGKILL");
      await connector.exited;
      say(`kill ${k} of ${kills}: ${ids().length} deliveries so far`);
      connector = spawnConnector(env);
    }
    publishing = false;
    await publisher;
    await waitFor(() => new Set(ids()).size >= new Set(published).size, {
      timeoutMs: 120_000,
      description: () => `every event delivered (${new Set(ids()).size} of ${published.length})`,
    });
  } finally {
    for (const c of [connector, survivor]) {
      c?.child.kill("SIGKILL");
      await c?.exited;
    }
    await pipeline.close();
    await server.close();
  }
  // Per project, the longest time between two deliveries after the kill (failover).
  const byProject = new Map<string, number[]>();
  for (const r of server.requests) {
    if (r.at < killedAt) continue;
    const list = byProject.get(r.path) ?? [];
    list.push(r.at);
    byProject.set(r.path, list);
  }
  let longestPauseMs = 0;
  for (const times of byProject.values()) {
    times.sort((a, b) => a - b);
    let previous = killedAt;
    for (const t of times) {
      longestPauseMs = Math.max(longestPauseMs, t - previous);
      previous = t;
    }
  }
  const delivered = new Set(ids());
  const lost = published.filter((id) => !delivered.has(id)).length;
  const duplicates = ids().length - delivered.size;
  const report = {
    bench: "kills",
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    rate,
    kills,
    everyMs,
    published: published.length,
    delivered: delivered.size,
    lost,
    duplicates,
    duplicatesPerKill: values.failover ? undefined : round(duplicates / Math.max(1, kills), 1),
    failover: values.failover
      ? { sessionTimeoutMs: Number(env.EVENTSTREAMS_SESSION_TIMEOUT_MS), longestPauseMs }
      : undefined,
    target: { rule: "duplicates per SIGKILL at most what 250 ms delivers at the rate", perKill: rate / 4 },
  };
  console.log(JSON.stringify(report, null, 2));
  say(`wrote ${writeBenchResult("kills", report)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
