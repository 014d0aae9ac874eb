import { randomUUID } from "node:crypto";
import type { LookupAddress } from "node:dns";
import { startWebhookServer, type WebhookServer } from "../../../support/webhook-server";
import { conformanceEvents } from "../conformance";
import type { SinkTarget } from "../sink";
import { type HttpsConfig, httpsSecrets } from "./config";
import { HttpsSink, verifyWebhook, WebhookVerificationError } from "./index";
import { generateSecret } from "./signature";

/** Against a real HTTPS server with a self-signed certificate the sink trusts as an extra CA. */

const names: Record<string, string> = { "webhook.test": "127.0.0.1" };
const resolver = async (host: string): Promise<LookupAddress[]> => {
  const address = names[host];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return [{ address, family: 4 }];
};

const events = (count: number, projectId: string = randomUUID()) => conformanceEvents(count, projectId);

describe("HTTPS webhook sink", () => {
  let server: WebhookServer;
  let sink: HttpsSink;
  const target = (config: Partial<HttpsConfig> = {}): SinkTarget<HttpsConfig> => ({
    streamId: `es_${randomUUID().slice(0, 8)}`,
    projectId: randomUUID(),
    config: { httpsEndpoint: server.url("webhook.test"), secret: generateSecret(), ...config },
  });

  beforeAll(async () => {
    server = await startWebhookServer();
    sink = new HttpsSink({ allowedHosts: ["webhook.test"], resolver, ca: [server.ca], timeoutMs: 1_000 });
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.reply = () => ({ status: 204 });
  });
  afterAll(async () => {
    await sink.close();
    await server.close();
  });

  it("POSTs each event, signed per Standard Webhooks, verifiable with the exported helper", async () => {
    const t = target();
    const batch = events(3, t.projectId);
    expect(await sink.deliver(t, batch)).toEqual(batch.map(() => ({ outcome: "delivered" })));
    expect(server.requests).toHaveLength(3);
    const byId = new Map(server.requests.map((r) => [r.headers["webhook-id"], r]));
    for (const event of batch) {
      const request = byId.get(event.id);
      if (!request) throw new Error(`no request for ${event.id}`);
      expect(request.method).toBe("POST");
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(verifyWebhook(t.config.secret, request.headers, request.body)).toEqual({
        id: event.id,
        name: "IdentityCreated",
        version: "1",
        timestamp: event.timestamp.toISOString(),
        projectId: t.projectId,
        eventAttributes: event.eventAttributes,
      });
    }
  });

  it("fails verification for a tampered body, an old timestamp, or another secret", async () => {
    const t = target();
    await sink.deliver(t, events(1, t.projectId));
    const [request] = server.requests;
    if (!request) throw new Error("no request");
    expect(() => verifyWebhook(t.config.secret, request.headers, request.body.replace("1", "2"))).toThrow(
      WebhookVerificationError,
    );
    expect(() =>
      verifyWebhook(t.config.secret, request.headers, request.body, { now: () => Date.now() + 600_000 }),
    ).toThrow(/tolerance/);
    expect(() => verifyWebhook(generateSecret(), request.headers, request.body)).toThrow(/no matching/);
  });

  it("sends JSON arrays up to batchSize in batched mode", async () => {
    const t = target({ batchSize: 2 });
    const batch = events(5, t.projectId);
    expect((await sink.deliver(t, batch)).every((r) => r.outcome === "delivered")).toBe(true);
    const bodies = server.requests.map(
      (r) => verifyWebhook(t.config.secret, r.headers, r.body) as { id: string }[],
    );
    expect(bodies.map((b) => b.length).sort()).toEqual([1, 2, 2]);
    expect(
      bodies
        .flat()
        .map((e) => e.id)
        .sort(),
    ).toEqual(batch.map((e) => e.id).sort());
  });

  it.each([
    [200, {}, { outcome: "delivered" }],
    [202, {}, { outcome: "delivered" }],
    [408, {}, { outcome: "retryable", code: "HTTP408" }],
    [
      429,
      { "retry-after": "7" },
      { outcome: "retryable", code: "HTTP429", retryAfterMs: 7000, throttled: true },
    ],
    [429, {}, { outcome: "retryable", code: "HTTP429", throttled: true }],
    [500, {}, { outcome: "retryable", code: "HTTP500" }],
    [
      503,
      { "retry-after": "2" },
      { outcome: "retryable", code: "HTTP503", retryAfterMs: 2000, throttled: true },
    ],
    [503, {}, { outcome: "retryable", code: "HTTP503" }],
    [400, {}, { outcome: "permanent", code: "HTTP400" }],
    [401, {}, { outcome: "permanent", code: "HTTP401" }],
    [404, {}, { outcome: "permanent", code: "HTTP404" }],
    [413, {}, { outcome: "permanent", code: "HTTP413" }],
    [410, {}, { outcome: "permanent", code: "HTTP410", pauseStream: true }],
  ])("answers %i with headers %j → %j", async (status, headers, expected) => {
    server.reply = () => ({ status, headers });
    const [result] = await sink.deliver(target(), events(1));
    expect(result).toMatchObject(expected);
    expect((result as { throttled?: boolean }).throttled === true).toBe(
      (expected as { throttled?: boolean }).throttled === true,
    );
  });

  it("does not follow redirects", async () => {
    server.reply = (r) =>
      r.path === "/hooks"
        ? { status: 307, headers: { location: server.url("webhook.test", "/elsewhere") } }
        : { status: 204 };
    const [result] = await sink.deliver(target(), events(1));
    expect(result).toMatchObject({ outcome: "permanent", code: "HTTP307" });
    expect(server.requests.map((r) => r.path)).toEqual(["/hooks"]);
  });

  it("times out a hung endpoint as retryable", async () => {
    server.reply = () => ({ status: 200, hang: true });
    const started = Date.now();
    const [result] = await sink.deliver(target(), events(1));
    expect(result).toMatchObject({ outcome: "retryable", code: "Timeout" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reports a connection error as retryable", async () => {
    const closed = target({ httpsEndpoint: "https://webhook.test:1/hooks" });
    const [result] = await sink.deliver(closed, events(1));
    expect(result).toMatchObject({ outcome: "retryable", code: "ECONNREFUSED" });
  });

  it("reuses keep-alive connections", async () => {
    const before = server.connections;
    const t = target();
    for (let i = 0; i < 5; i++) await sink.deliver(t, events(1, t.projectId));
    expect(server.requests).toHaveLength(5);
    expect(server.connections - before).toBeLessThanOrEqual(1);
  });

  it("keeps deliveries verifiable through a secret rotation", async () => {
    const t = target();
    const oldSecret = t.config.secret;
    await sink.deliver(t, events(1, t.projectId));
    // Receivers still on the old secret and receivers already on the new one both verify.
    const rotated = { ...t, config: httpsSecrets.rotate(t.config, new Date(Date.now() + 3600_000)) };
    expect(rotated.config.secret).not.toBe(oldSecret);
    await sink.deliver(rotated, events(1, t.projectId));
    const during = server.requests[1];
    if (!during) throw new Error("no request");
    expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(() => verifyWebhook(oldSecret, during.headers, during.body)).not.toThrow();
    expect(() => verifyWebhook(rotated.config.secret, during.headers, during.body)).not.toThrow();
    // After the grace period only the new secret signs.
    const expired = {
      ...rotated,
      config: { ...rotated.config, previousSecretExpiresAt: new Date(Date.now() - 1000).toISOString() },
    };
    await sink.deliver(expired, events(1, t.projectId));
    const after = server.requests[2];
    if (!after) throw new Error("no request");
    expect(() => verifyWebhook(rotated.config.secret, after.headers, after.body)).not.toThrow();
    expect(() => verifyWebhook(oldSecret, after.headers, after.body)).toThrow(WebhookVerificationError);
  });

  it("verifies with a signed EventStreamVerification event and reports a failing endpoint", async () => {
    const t = target();
    expect(await sink.verify(t)).toEqual({ ok: true });
    const [request] = server.requests;
    if (!request) throw new Error("no request");
    expect(verifyWebhook(t.config.secret, request.headers, request.body)).toMatchObject({
      name: "EventStreamVerification",
      projectId: t.projectId,
    });
    server.reply = () => ({ status: 500 });
    const failed = await sink.verify(t);
    expect(failed).toMatchObject({ ok: false, code: "HTTP500" });
    expect(JSON.stringify(failed)).not.toContain(t.config.secret.slice(6));
  });
});
