import { randomBytes, randomUUID } from "node:crypto";
import { clientEnvironment, stackEndpoints, stackSettings } from "../../../src/settings/stack-settings";
import { type ApiProcess, spawnApi } from "../../../support/api-process";
import { uniqueName } from "../../../support/unique";

/**
 * Two API processes on one config topic: a project's writes are applied one after the other
 * whichever instance takes them (through the writes topic), so If-Match and the per-project
 * limit hold across instances, and killing one mid-write loses no acknowledged write.
 */
describe("stream writes across API instances", () => {
  const token = randomBytes(18).toString("base64url");
  const env = {
    ...clientEnvironment(stackEndpoints(stackSettings())),
    EVENTSTREAMS_TOPIC_PREFIX: uniqueName("writes"),
    EVENTSTREAMS_ADMIN_TOKEN: token,
    EVENTSTREAMS_MAX_STREAMS_PER_PROJECT: "5",
  };
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    [a, b] = await Promise.all([spawnApi(env), spawnApi(env)]);
  }, 90_000);

  afterAll(async () => {
    for (const api of [a, b]) api?.child.kill("SIGKILL");
    await Promise.all([a?.exited, b?.exited]);
  });

  const call = async (api: ApiProcess, method: string, path: string, body?: unknown, ifMatch?: string) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (ifMatch) headers["if-match"] = ifMatch;
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      etag: response.headers.get("etag"),
    };
  };
  const sns = {
    type: "sns",
    topic_arn: "arn:aws:sns:us-east-1:123456789012:orders",
    role_arn: "arn:aws:iam::123456789012:role/writer",
  };

  it("gives one 200 and 49 409s to 50 concurrent PATCHes with the same If-Match", async () => {
    const projectId = randomUUID();
    const created = await call(a, "POST", `/projects/${projectId}/eventstreams?verify=false`, sns);
    expect(created.status).toBe(201);
    const path = `/projects/${projectId}/eventstreams/${created.body.id}`;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(
          i % 2 ? a : b,
          "PATCH",
          path,
          { event_types: [i % 3 ? "LoginSucceeded" : "LoginFailed"] },
          created.etag ?? "",
        ),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(
      answers.filter((r) => r.status === 409).every((r) => r.body.error.code === "revision_mismatch"),
    ).toBe(true);
    const after = await call(b, "GET", path);
    expect(after.body.revision).toBe(2);
  }, 60_000);

  it("creates exactly 5 of 20 concurrent streams on a project limited to 5", async () => {
    const projectId = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(i % 2 ? a : b, "POST", `/projects/${projectId}/eventstreams?verify=false`, sns),
      ),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(5);
    expect(answers.filter((r) => r.status === 409 && r.body.error.code === "limit_exceeded")).toHaveLength(
      15,
    );
    for (const api of [a, b]) {
      const listed = await call(api, "GET", `/projects/${projectId}/eventstreams`);
      expect(listed.body.event_streams).toHaveLength(5);
    }
  }, 60_000);

  it("loses no acknowledged write when one instance is killed mid-write", async () => {
    const projects = Array.from({ length: 40 }, () => randomUUID());
    let killed = false;
    const answers = await Promise.all(
      projects.map(async (projectId, i) => {
        const api = i % 2 ? a : b;
        if (i === 20 && !killed) {
          killed = true;
          a.child.kill("SIGKILL");
        }
        const answer = await call(api, "POST", `/projects/${projectId}/eventstreams?verify=false`, sns).catch(
          (error: unknown) => ({ status: 0, body: String(error), etag: null }),
        );
        return { projectId, on: api === a ? "a" : "b", ...answer };
      }),
    );
    await a.exited;
    const acknowledged = answers.filter((r) => r.status === 201);
    // Every request to the survivor was answered, and every acknowledged stream is there, whole.
    expect(answers.filter((r) => r.on === "b").every((r) => r.status === 201)).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);
    for (const { projectId, body } of acknowledged) {
      const read = await call(b, "GET", `/projects/${projectId}/eventstreams/${body.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ topic_arn: sns.topic_arn, role_arn: sns.role_arn, revision: 1 });
    }
    // A request the killed instance took may have been applied or not, never twice.
    for (const { projectId } of answers.filter((r) => r.status !== 201)) {
      const listed = await call(b, "GET", `/projects/${projectId}/eventstreams`);
      expect(listed.body.event_streams.length).toBeLessThanOrEqual(1);
    }
  }, 120_000);
});
