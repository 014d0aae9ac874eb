import { verifyWebhook } from "../../../apps/package";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";
import { newProject, startTestApi, type TestApi } from "../../support/api";

/** HTTPS streams through the API: secret shown once, masked on reads, rotated, SSRF refused. */
describe("HTTPS event streams through the API", () => {
  let api: TestApi;
  let server: WebhookServer;

  beforeAll(async () => {
    server = await startWebhookServer();
    Object.assign(process.env, trustedReceiverEnv(server));
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
    await server?.close();
  });

  it("shows the secret once, masks it on reads, and rotates it with a grace period", async () => {
    const projectId = newProject();
    const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: { type: "https", https_endpoint: server.url("127.0.0.1") },
    });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(created.body.https_endpoint).toBe(server.url("127.0.0.1"));
    // The verification request was signed with that secret.
    const [verification] = server.requests;
    if (!verification) throw new Error("no verification request");
    expect(verifyWebhook(secret, verification.headers, verification.body)).toMatchObject({
      name: "EventStreamVerification",
    });

    const path = `/projects/${projectId}/eventstreams/${created.body.id}`;
    expect((await api.call("GET", path)).body.secret).toBe("********");
    const listed = await api.call("GET", `/projects/${projectId}/eventstreams`);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const rotated = await api.call("POST", `${path}/rotate-secret`, { body: { grace_period_seconds: 600 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    expect(rotated.body.previous_secret).toBe(secret);
    const after = (await api.call("GET", path)).body;
    expect([after.secret, after.previous_secret]).toEqual(["********", "********"]);
    expect(after.previous_secret_expires_at).toEqual(expect.any(String));

    const chosen = await api.call("PATCH", path, { body: { secret: secret } });
    expect(chosen.status).toBe(400);
    expect(api.logs.join("")).not.toContain(secret.slice(6));
    expect(api.logs.join("")).not.toContain(rotated.body.secret.slice(6));
  });

  it("sends a test event through the real sink and answers with what the destination said", async () => {
    const projectId = newProject();
    const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: {
        type: "https",
        https_endpoint: server.url("127.0.0.1", `/${projectId}`),
        event_types: ["Session*"],
      },
    });
    expect(created.status).toBe(201);
    const path = `/projects/${projectId}/eventstreams/${created.body.id}`;
    const tested = await api.call("POST", `${path}/test`);
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ name: "EventStreamTest", outcome: "delivered", code: null });
    expect(tested.body.latency_ms).toEqual(expect.any(Number));
    const received = server.requests.filter((r) => r.path === `/${projectId}`).at(-1);
    if (!received) throw new Error("no test request");
    // Signed like every delivery, marked as a test, and sent whatever the stream's filter says.
    expect(verifyWebhook(created.body.secret, received.headers, received.body)).toMatchObject({
      id: tested.body.event_id,
      name: "EventStreamTest",
      projectId,
      eventAttributes: { test: "true" },
    });

    const answer = server.reply;
    server.reply = (request) => (request.path === `/${projectId}` ? { status: 503 } : answer(request));
    try {
      const failed = await api.call("POST", `${path}/test`);
      expect(failed.status).toBe(200);
      expect(failed.body).toMatchObject({ outcome: "retryable", code: "HTTP503" });
    } finally {
      server.reply = answer;
    }
    const missing = await api.call("POST", `/projects/${newProject()}/eventstreams/${created.body.id}/test`);
    expect(missing.status).toBe(404);
  });

  it("refuses a filter pattern that matches no event name, naming the entry", async () => {
    const refused = await api.call("POST", `/projects/${newProject()}/eventstreams`, {
      body: { type: "https", https_endpoint: server.url("127.0.0.1"), event_types: ["Session*", "Sesion*"] },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("event_types[1]");
    expect(JSON.stringify(refused.body)).toContain('\\"Sesion*\\" matches no event name of the catalog');
  });

  it("refuses a private endpoint at creation with a clear error, and sends nothing", async () => {
    const before = server.requests.length;
    const refused = await api.call("POST", `/projects/${newProject()}/eventstreams`, {
      body: { type: "https", https_endpoint: "https://169.254.169.254/latest/meta-data/" },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("is a link-local address");
    const named = await api.call("POST", `/projects/${newProject()}/eventstreams`, {
      body: { type: "https", https_endpoint: `https://localhost:${server.port}/hooks` },
    });
    expect(named.status).toBe(400);
    expect(server.requests.length).toBe(before);
  });
});
