import { randomUUID } from "node:crypto";
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { verifyWebhook } from "../../../connectors/sinks/https/signature";
import { readToEnd } from "../../../src/kafka/read-to-end";
import { waitFor } from "../../../src/util/wait-for";
import { type ConnectorProcess, spawnConnector } from "../../../support/connector-process";
import { createPipeline, type Pipeline } from "../../../support/pipeline";
import { uniqueName } from "../../../support/unique";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../../support/webhook-server";
import { startTestApi, type TestApi } from "../../support/api";
import { runCli } from "../../support/cli";

/**
 * Stream secrets are sealed at rest (AES-256-GCM under a data key from KMS: the emulator's), bound
 * to their stream: the config topic holds no secret byte, a sealed value copied into another
 * stream does not open, and a record stored before secrets were sealed still works.
 */
describe("secrets at rest", () => {
  let pipeline: Pipeline;
  let server: WebhookServer;
  let api: TestApi;
  let connector: ConnectorProcess | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startWebhookServer();
    pipeline = await createPipeline(3);
    Object.assign(process.env, pipeline.env, trustedReceiverEnv(server));
    api = await startTestApi({ topic: pipeline.topics.config });
  });

  afterAll(async () => {
    connector?.child.kill("SIGKILL");
    await connector?.exited;
    await api?.close();
    await pipeline?.close();
    await server?.close();
    process.env = saved;
  });

  /** Every record value of the config topic, as bytes. */
  async function configTopicBytes(): Promise<Buffer> {
    const values: Buffer[] = [];
    await readToEnd(pipeline.kafka, pipeline.topics.config, (_p, message) => {
      if (message.value) values.push(message.value);
    });
    return Buffer.concat(values);
  }

  it("stores no secret byte, delivers signed, and refuses a sealed secret copied into another stream", async () => {
    const projectId = randomUUID();
    const path = `/${projectId}`;
    const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: { type: "https", https_endpoint: server.url("127.0.0.1", path) },
    });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    // The verification request was signed with it: the API opened what it sealed.
    const verification = server.requests.find((r) => r.path === path);
    expect(verification && verifyWebhook(secret, verification.headers, verification.body)).toBeTruthy();
    // Rotated: both the new and the previous secret are sealed too.
    const rotated = await api.call(
      "POST",
      `/projects/${projectId}/eventstreams/${created.body.id}/rotate-secret`,
      {
        body: { grace_period_seconds: 600 },
      },
    );
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;

    const raw = await configTopicBytes();
    for (const s of [secret, newSecret]) {
      const bytes = Buffer.from(s);
      expect(raw.includes(bytes)).toBe(false);
      expect(raw.includes(Buffer.from(bytes.toString("base64")))).toBe(false);
      expect(raw.includes(Buffer.from(s.slice("whsec_".length)))).toBe(false);
    }
    expect(raw.toString()).toContain('"$sealed"');

    // The connector opens the secrets to sign: the receiver checks with the new secret.
    connector = spawnConnector({ ...pipeline.env, ...trustedReceiverEnv(server) });
    const [event] = await pipeline.publisher.publishMany([{ name: "LoginSucceeded", projectId }]);
    const delivered = await waitFor(
      () => server.requests.find((r) => r.path === path && r.headers["webhook-id"] === event?.id),
      { timeoutMs: 60_000, description: () => `the signed delivery\n${connector?.output()}` },
    );
    expect(verifyWebhook(newSecret, delivered.headers, delivered.body)).toMatchObject({ id: event?.id });

    // Another tenant copies the sealed settings into a stream of its own: they do not open.
    const stored = pipeline.streams.get(created.body.id);
    if (!stored) throw new Error("the stream is not in the registry");
    const thief = randomUUID();
    const thiefPath = `/${thief}`;
    const copy = await pipeline.addStream({
      projectId: thief,
      type: "https",
      config: { ...stored.config, httpsEndpoint: server.url("127.0.0.1", thiefPath) },
    });
    await waitFor(
      async () => (await api.call("GET", `/projects/${thief}/eventstreams/${copy.id}`)).status === 200,
      {
        timeoutMs: 10_000,
        description: "the API sees the copied stream",
      },
    );
    const test = await api.call("POST", `/projects/${thief}/eventstreams/${copy.id}/test`);
    expect(test.status).toBe(409);
    expect(test.body.error.code).toBe("secret_undecryptable");
    expect(JSON.stringify(test.body)).toContain(copy.id);
    await pipeline.publisher.publishMany([{ name: "LoginSucceeded", projectId: thief }]);
    const health = await waitFor(
      async () => {
        const { body } = await api.call("GET", `/projects/${thief}/eventstreams/${copy.id}`);
        return body.health?.lastError?.code === "SecretUndecryptable" ? body.health : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        description: () => `the connector refusing it\n${connector?.output()}`,
      },
    );
    expect(health.lastError.message).toContain(copy.id);
    // Never delivered, signed or not.
    expect(server.requests.filter((r) => r.path === thiefPath)).toHaveLength(0);
  }, 120_000);

  it("still delivers with a secret stored in plain text before sealing, and seals it on the next change", async () => {
    const projectId = randomUUID();
    const path = `/${projectId}`;
    const legacy = await pipeline.addStream({
      projectId,
      type: "https",
      config: {
        httpsEndpoint: server.url("127.0.0.1", path),
        secret: "whsec_bGVnYWN5LXNlY3JldC1iZWZvcmUtc2VhbGluZw",
      },
    });
    connector ??= spawnConnector({ ...pipeline.env, ...trustedReceiverEnv(server) });
    const [event] = await pipeline.publisher.publishMany([{ name: "LoginSucceeded", projectId }]);
    const delivered = await waitFor(
      () => server.requests.find((r) => r.path === path && r.headers["webhook-id"] === event?.id),
      { timeoutMs: 60_000, description: () => `the delivery\n${connector?.output()}` },
    );
    expect(verifyWebhook(String(legacy.config.secret), delivered.headers, delivered.body)).toBeTruthy();
    const changed = await api.call("PATCH", `/projects/${projectId}/eventstreams/${legacy.id}?verify=false`, {
      body: { event_types: ["LoginSucceeded"] },
    });
    expect(changed.status).toBe(200);
    const raw = await configTopicBytes();
    const last = pipeline.streams.get(legacy.id);
    expect(last?.config.secret).toEqual({ $sealed: expect.objectContaining({ v: 1 }) });
    // Only the first record (written in plain text, before) still has it; compaction removes it.
    expect(raw.toString().split("bGVnYWN5LXNlY3JldC1iZWZvcmUtc2VhbGluZw").length - 1).toBe(1);
  }, 120_000);

  it("rewraps every secret under another key, idempotently, and they still sign", async () => {
    const projectId = randomUUID();
    const path = `/${projectId}`;
    const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: {
        type: "https",
        https_endpoint: server.url("127.0.0.1", path),
        auth: { type: "bearer", token: "tok-rewrap-1" },
      },
    });
    expect(created.status).toBe(201);
    const kms = new KMSClient({});
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: "rewrap test" }));
    const alias = `alias/${uniqueName("rewrap")}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata?.KeyId }));
    const env = { ...pipeline.env, EVENTSTREAMS_CONFIG_TOPIC: pipeline.topics.config };

    const rewrap = await runCli(["secrets", "rewrap", "--to-key", alias], env);
    expect(rewrap.stderr).toMatch(/rewrapped/);
    // Streams that do not decrypt (the copy of the first test) are reported by id; the others go on.
    const refused = rewrap.stderr.split("\n").filter((line) => line.startsWith("not rewrapped:"));
    expect(refused.every((line) => /stream \S+ \(project \S+\): .*does not decrypt/.test(line))).toBe(true);
    expect(rewrap.code).toBe(refused.length > 0 ? 1 : 0);
    const sealedKeys = () => {
      const config = pipeline.streams.get(created.body.id)?.config as Record<string, unknown>;
      const auth = config.auth as Record<string, unknown>;
      return [config.secret, auth.token].map((v) => (v as { $sealed: { key: string } }).$sealed.key);
    };
    await waitFor(() => sealedKeys().every((k) => k === KeyMetadata?.Arn), {
      timeoutMs: 10_000,
      description: () => `the secrets sealed under ${KeyMetadata?.Arn}: ${sealedKeys()}`,
    });
    // Nothing a customer sees changed, and the destination still gets signed, authenticated requests.
    const read = await api.call("GET", `/projects/${projectId}/eventstreams/${created.body.id}`);
    expect(read.body.revision).toBe(created.body.revision);
    const test = await api.call("POST", `/projects/${projectId}/eventstreams/${created.body.id}/test`);
    expect(test.body.outcome).toBe("delivered");
    const last = server.requests.filter((r) => r.path === path).at(-1);
    expect(last?.headers.authorization).toBe("Bearer tok-rewrap-1");
    expect(last && verifyWebhook(created.body.secret, last.headers, last.body)).toBeTruthy();

    // Again: only what still does not decrypt is left to do.
    const again = await runCli(["secrets", "rewrap", "--to-key", alias], env);
    expect(again.stderr).toContain(`${refused.length} of`);
    kms.destroy();
  }, 120_000);
});
