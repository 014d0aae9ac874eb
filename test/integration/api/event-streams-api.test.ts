import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { waitFor } from "../../../src/util/wait-for";
import { aws } from "../../../support/clients";
import { newProject, startTestApi, type TestApi } from "../../support/api";
import { createPublisherRole, createTopicWithQueue, type TopicWithQueue } from "../../support/aws-fixtures";

describe("event streams HTTP API", () => {
  let api: TestApi;
  let destination: TopicWithQueue;

  beforeAll(async () => {
    api = await startTestApi();
    destination = await createTopicWithQueue();
  });

  afterAll(async () => {
    await api?.close();
  });

  async function createStream(projectId: string, extra: Record<string, unknown> = {}) {
    const roleArn = await createPublisherRole(projectId, destination.topicArn);
    const response = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: { type: "sns", topic_arn: destination.topicArn, role_arn: roleArn, ...extra },
    });
    return { response, roleArn };
  }

  it("creates, lists, gets, updates and deletes a stream", async () => {
    const projectId = newProject();
    const { response: created, roleArn } = await createStream(projectId, {
      event_types: ["IdentityCreated", "OAuth2AccessTokenIssued"],
    });
    expect(created.status).toBe(201);
    // The emulator lets any ExternalId in: the answer warns (see verification.test.ts).
    const { warnings, ...stream } = created.body;
    expect(warnings?.[0]?.code).toBe("ExternalIdNotRequired");
    created.body = stream;
    expect(created.body).toEqual({
      id: expect.any(String),
      project_id: projectId,
      type: "sns",
      topic_arn: destination.topicArn,
      role_arn: roleArn,
      status: "active",
      event_types: ["IdentityCreated", "OAuth2AccessTokenIssued"],
      rate_limit: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: created.body.created_at,
      revision: 1,
      paused_at: null,
      paused_reason: null,
      health: { status: "unknown" },
      summary: {
        last_hour: { delivered: 0, failed: 0, throttled: 0 },
        last_day: { delivered: 0, failed: 0, throttled: 0 },
        in_flight_limit: null,
        latency_ms: { p50: null, p99: null },
        last_success_at: null,
        last_failure: null,
      },
    });
    expect(created.headers.get("etag")).toBe('"1"');
    expect(created.headers.get("location")).toBe(`/projects/${projectId}/eventstreams/${created.body.id}`);
    const path = `/projects/${projectId}/eventstreams/${created.body.id}`;

    const list = await api.call("GET", `/projects/${projectId}/eventstreams`);
    expect(list.status).toBe(200);
    expect(list.body.event_streams).toEqual([created.body]);
    expect((await api.call("GET", path)).body).toEqual(created.body);

    const paused = await api.call("PATCH", path, { body: { status: "paused" } });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: "paused", revision: 2, paused_reason: expect.any(String) });
    expect(paused.body.paused_at).not.toBeNull();

    const resumed = await api.call("PATCH", path, { body: { status: "active" } });
    expect(resumed.body).toMatchObject({ status: "active", revision: 3, paused_at: null });

    // A rate limit is set, kept by other changes, removed with null, and checked.
    const limited = await api.call("PATCH", path, { body: { rate_limit: 50 } });
    expect(limited.body).toMatchObject({ rate_limit: 50, revision: 4 });
    const renamed = await api.call("PATCH", path, { body: { event_types: ["IdentityCreated"] } });
    expect(renamed.body.rate_limit).toBe(50);
    const refused = await api.call("PATCH", path, { body: { rate_limit: 0 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe("rate_limit");
    expect(refused.body.error.message).toMatch(/from 1 to 100000, or null/);
    expect((await api.call("PATCH", path, { body: { rate_limit: null } })).body.rate_limit).toBeNull();

    expect((await api.call("DELETE", path)).status).toBe(204);
    expect((await api.call("GET", path)).status).toBe(404);
    expect((await api.call("GET", `/projects/${projectId}/eventstreams`)).body.event_streams).toEqual([]);
    expect((await api.call("DELETE", path)).status).toBe(404);
  });

  it("a partial update changes only the fields sent; a stale If-Match gets 409", async () => {
    const projectId = newProject();
    const { response: created } = await createStream(projectId, { event_types: ["LoginSucceeded"] });
    const path = `/projects/${projectId}/eventstreams/${created.body.id}`;

    const updated = await api.call("PATCH", path, {
      body: { event_types: ["LoginFailed", "SessionIssued"] },
      headers: { "if-match": '"1"' },
    });
    expect(updated.status).toBe(200);
    const { event_types, revision, updated_at, ...rest } = updated.body;
    const { event_types: _e, revision: _r, updated_at: _u, warnings: _w, ...before } = created.body;
    expect(rest).toEqual(before);
    expect(event_types).toEqual(["LoginFailed", "SessionIssued"]);
    expect(revision).toBe(2);

    const stale = await api.call("PATCH", path, {
      body: { status: "paused" },
      headers: { "if-match": '"1"' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: "revision_mismatch", field: "revision" });
    const staleDelete = await api.call("DELETE", path, { headers: { "if-match": "1" } });
    expect(staleDelete.status).toBe(409);
    expect((await api.call("GET", path)).body).toEqual(updated.body);
  });

  it("verifies the destination on create: the verification message reaches the topic", async () => {
    const projectId = newProject();
    const { response } = await createStream(projectId);
    expect(response.status).toBe(201);
    const body = await waitFor(
      async () => {
        const { Messages } = await aws
          .sqs()
          .send(new ReceiveMessageCommand({ QueueUrl: destination.queueUrl, MaxNumberOfMessages: 10 }));
        return Messages?.map((m) => JSON.parse(m.Body ?? "{}")).find((m) => m.projectId === projectId);
      },
      { timeoutMs: 10_000, description: "the verification message in the subscribed queue" },
    );
    expect(body).toMatchObject({ name: "EventStreamVerification", projectId });
  });

  it("a topic that does not exist fails verification with 422 and a hint, unless verify=false", async () => {
    const projectId = newProject();
    const missingTopic = destination.topicArn.replace(/:[^:]+$/, ":does-not-exist-at-all");
    const roleArn = await createPublisherRole(projectId, missingTopic);
    const body = { type: "sns", topic_arn: missingTopic, role_arn: roleArn };
    const refused = await api.call("POST", `/projects/${projectId}/eventstreams`, { body });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: "verification_failed",
      destination_code: "NotFound",
      hint: expect.stringContaining("topic must exist"),
    });
    expect(refused.body.error.message).toContain(missingTopic);
    expect((await api.call("GET", `/projects/${projectId}/eventstreams`)).body.event_streams).toEqual([]);

    const stored = await api.call("POST", `/projects/${projectId}/eventstreams?verify=false`, { body });
    expect(stored.status).toBe(201);
    // Resuming re-verifies; with verify=false it goes through.
    const path = `/projects/${projectId}/eventstreams/${stored.body.id}`;
    expect((await api.call("PATCH", path, { body: { status: "paused" } })).status).toBe(200);
    expect((await api.call("PATCH", path, { body: { status: "active" } })).status).toBe(422);
    expect((await api.call("PATCH", path, { body: { status: "active" } })).body.error.code).toBe(
      "verification_failed",
    );
    expect((await api.call("PATCH", `${path}?verify=false`, { body: { status: "active" } })).status).toBe(
      200,
    );
    // A destination update is verified too.
    const moved = await api.call("PATCH", path, { body: { topic_arn: destination.topicArn } });
    expect(moved.status).toBe(200);
    expect((await api.call("PATCH", path, { body: { topic_arn: missingTopic } })).status).toBe(422);
  });
});
