import { readToEnd } from "../../../src/kafka/read-to-end";
import { testKafka } from "../../../support/clients";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";
import { newProject, startTestApi, type TestApi } from "../../support/api";

/** HTTPS destinations that authenticate us: bearer, basic, API key, static headers. */
describe("destination authentication for HTTPS streams", () => {
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

  const create = (projectId: string, path: string, extra: Record<string, unknown>) =>
    api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: { type: "https", https_endpoint: server.url("127.0.0.1", path), ...extra },
    });
  const requestsTo = (path: string) => server.requests.filter((r) => r.path === path);

  it("sends a bearer token and static headers on verification and deliveries, masks and seals the token", async () => {
    const projectId = newProject();
    const path = `/bearer-${projectId}`;
    const token = "tok_3f9a2c7e1b5d4f60a8e2c9b7";
    const created = await create(projectId, path, {
      auth: { type: "bearer", token },
      headers: { "X-Tenant": "acme", "X-Region": "eu" },
    });
    expect(created.status).toBe(201);
    const [verification] = requestsTo(path);
    expect(verification?.headers.authorization).toBe(`Bearer ${token}`);
    expect(verification?.headers["x-tenant"]).toBe("acme");

    const streamPath = `/projects/${projectId}/eventstreams/${created.body.id}`;
    const read = await api.call("GET", streamPath);
    expect(read.body.auth).toEqual({ type: "bearer", token: "********" });
    expect(read.body.headers).toEqual({ "X-Tenant": "acme", "X-Region": "eu" });
    const test = await api.call("POST", `${streamPath}/test`);
    expect(test.body.outcome).toBe("delivered");
    expect(requestsTo(path).at(-1)?.headers.authorization).toBe(`Bearer ${token}`);

    // Never at rest, never in a log.
    const values: Buffer[] = [];
    await readToEnd(testKafka(), api.topic, (_p, m) => {
      if (m.value) values.push(m.value);
    });
    expect(Buffer.concat(values).includes(Buffer.from(token))).toBe(false);
    expect(api.logs.join("")).not.toContain(token);
    // Sending the masked value back would store the mask: refused.
    const masked = await api.call("PATCH", streamPath, {
      body: { auth: { type: "bearer", token: "********" } },
    });
    expect(masked.status).toBe(400);
    expect(masked.body.error.field).toBe("auth.token");
  });

  it("sends basic credentials and an API key header", async () => {
    const projectId = newProject();
    const basicPath = `/basic-${projectId}`;
    const basic = await create(projectId, basicPath, {
      auth: { type: "basic", username: "events", password: "s3cret-pass" },
    });
    expect(basic.status).toBe(201);
    expect(requestsTo(basicPath)[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("events:s3cret-pass").toString("base64")}`,
    );
    const keyPath = `/key-${projectId}`;
    const key = await create(projectId, keyPath, {
      auth: { type: "api_key", header: "X-Api-Key", value: "k-123456" },
    });
    expect(key.status).toBe(201);
    expect(requestsTo(keyPath)[0]?.headers["x-api-key"]).toBe("k-123456");
    expect(key.body.auth).toEqual({ type: "api_key", header: "X-Api-Key", value: "k-123456" });
    const read = await api.call("GET", `/projects/${projectId}/eventstreams/${key.body.id}`);
    expect(read.body.auth).toEqual({ type: "api_key", header: "X-Api-Key", value: "********" });
  });

  it.each([
    ["Content-Type", { headers: { "Content-Type": "text/plain" } }, "headers.Content-Type"],
    ["a webhook- header", { headers: { "webhook-id": "x" } }, "headers.webhook-id"],
    ["Host", { headers: { Host: "evil.example" } }, "headers.Host"],
    [
      "Authorization beside auth",
      { auth: { type: "bearer", token: "t-1" }, headers: { Authorization: "x" } },
      "headers.Authorization",
    ],
    [
      "an API key in a reserved header",
      { auth: { type: "api_key", header: "Connection", value: "v" } },
      "auth.header",
    ],
  ])("refuses %s, naming the header", async (_name, extra, field) => {
    const created = await create(newProject(), "/refused", extra);
    expect(created.status).toBe(400);
    expect(created.body.error.field).toBe(field);
  });

  it("refuses more than 10 headers, a header value with a line break, and an unknown auth type", async () => {
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`X-H${i}`, "v"]));
    for (const extra of [
      { headers: many },
      { headers: { "X-Evil": "a\r\nInjected: yes" } },
      { auth: { type: "digest", token: "t" } },
    ]) {
      const created = await create(newProject(), "/refused", extra);
      expect(created.status).toBe(400);
      expect(created.body.error.message).toMatch(/headers|auth/);
    }
  });
});
