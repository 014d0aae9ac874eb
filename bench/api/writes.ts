/**
 * Stream write latency through the HTTP API: POST (create) and PATCH (with If-Match) against one
 * or two `eventstreams api` processes sharing one config topic, streams spread over them (each
 * stream's PATCH goes to the instance that created it).
 *
 *   npm run bench:api-writes -- [--instances 1,2] [--writes 200] [--concurrency 4]
 *
 * Prints p50/p99 per operation and instance count; writes bench/results/api-writes-<time>.json.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { clientEnvironment, stackEndpoints, stackSettings } from "../../src/settings/stack-settings";
import { type ApiProcess, spawnApi } from "../../support/api-process";
import { uniqueName } from "../../support/unique";
import { writeBenchResult } from "../results";

const { values } = parseArgs({
  options: {
    instances: { type: "string", default: "1,2" },
    writes: { type: "string", default: "200" },
    concurrency: { type: "string", default: "4" },
  },
});
const writes = Number(values.writes);
const concurrency = Number(values.concurrency);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { count: ms.length, p50Ms: round(percentile(sorted, 0.5)), p99Ms: round(percentile(sorted, 0.99)) };
};

async function timed(
  url: string,
  init: RequestInit,
): Promise<{ ms: number; status: number; body: unknown; etag: string | null }> {
  const started = performance.now();
  const response = await fetch(url, init);
  const body = await response.json();
  return {
    ms: performance.now() - started,
    status: response.status,
    body,
    etag: response.headers.get("etag"),
  };
}

async function runWith(instances: number) {
  const token = randomBytes(18).toString("base64url");
  const env = {
    ...clientEnvironment(stackEndpoints(stackSettings())),
    EVENTSTREAMS_TOPIC_PREFIX: uniqueName("bench-writes"),
    EVENTSTREAMS_ADMIN_TOKEN: token,
  };
  const apis: ApiProcess[] = [];
  try {
    apis.push(...(await Promise.all(Array.from({ length: instances }, () => spawnApi(env)))));
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const post: number[] = [];
    const patch: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < writes) {
        const n = next++;
        const api = apis[n % apis.length] as ApiProcess;
        const projectId = randomUUID();
        const created = await timed(`${api.url}/projects/${projectId}/eventstreams?verify=false`, {
          method: "POST",
          headers,
          body: JSON.stringify({
            type: "sns",
            topic_arn: "arn:aws:sns:us-east-1:123456789012:bench",
            role_arn: "arn:aws:iam::123456789012:role/bench",
          }),
        });
        if (created.status !== 201)
          throw new Error(`POST answered ${created.status}: ${JSON.stringify(created.body)}`);
        post.push(created.ms);
        const id = (created.body as { id: string }).id;
        const changed = await timed(`${api.url}/projects/${projectId}/eventstreams/${id}?verify=false`, {
          method: "PATCH",
          headers: { ...headers, "if-match": created.etag ?? "" },
          body: JSON.stringify({ event_types: ["LoginSucceeded"] }),
        });
        if (changed.status !== 200)
          throw new Error(`PATCH answered ${changed.status}: ${JSON.stringify(changed.body)}`);
        patch.push(changed.ms);
        if ((n + 1) % 50 === 0)
          process.stderr.write(`${instances} instance(s): ${n + 1}/${writes} streams written\n`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { instances, post: summary(post), patch: summary(patch) };
  } finally {
    for (const api of apis) api.child.kill("SIGTERM");
    await Promise.all(apis.map((a) => a.exited));
  }
}

async function main(): Promise<void> {
  const runs = [];
  for (const instances of values.instances.split(",").map(Number)) {
    const run = await runWith(instances);
    runs.push(run);
    console.log(
      `${instances} instance(s): POST p50 ${run.post.p50Ms} ms, p99 ${run.post.p99Ms} ms; PATCH p50 ${run.patch.p50Ms} ms, p99 ${run.patch.p99Ms} ms (${writes} each, ${concurrency} in flight)`,
    );
  }
  const report = { at: new Date().toISOString(), writes, concurrency, runs };
  console.log(`written to ${writeBenchResult("api-writes", report)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
