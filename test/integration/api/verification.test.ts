import { createSinkRegistry, defineSink, type SinkTarget } from "../../../connectors/sinks";
import { uniqueName } from "../../../support/unique";
import { newProject, startTestApi, type TestApi } from "../../support/api";
import { createPublisherRole, createTopicWithQueue } from "../../support/aws-fixtures";

/**
 * moto (the local AWS) does not check that a role exists, nor its trust policy or ExternalId:
 * AssumeRole on any well-formed role ARN succeeds there. So the real-AWS path "AssumeRole refused"
 * is exercised with a sink that refuses the way the SNS sink does, and against moto we test what
 * moto does enforce: publishing to a topic that does not exist.
 */
const seen: SinkTarget<{ endpoint: string }>[] = [];
const refusingSink = defineSink<{ endpoint: string }>({
  type: "refusing",
  description: "refuses verification like AWS refuses AssumeRole without the right ExternalId",
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["endpoint"],
    properties: { endpoint: { type: "string" } },
  },
  limits: { maxEvents: 1 },
  create: () => ({
    verify: async (target) => {
      seen.push(target);
      return {
        ok: false,
        code: "AccessDenied",
        message: "could not assume the role: not authorized to perform sts:AssumeRole",
        hint: `the trust policy's sts:ExternalId must be "${target.projectId}" (your project id)`,
      };
    },
    deliver: async () => [],
  }),
});

describe("destination verification", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ sinks: createSinkRegistry().register(refusingSink) });
  });

  afterAll(async () => {
    await api?.close();
  });

  it("a refused AssumeRole answers 422 with the destination's code and hint; nothing is stored", async () => {
    const projectId = newProject();
    const response = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: { type: "refusing", endpoint: "somewhere" },
    });
    expect(response.status).toBe(422);
    expect(response.body.error).toEqual({
      code: "verification_failed",
      message: expect.stringContaining("AccessDenied"),
      field: null,
      destination_code: "AccessDenied",
      hint: `the trust policy's sts:ExternalId must be "${projectId}" (your project id)`,
    });
    // The sink got the stream's id, its project and the camelCase settings.
    expect(seen.at(-1)).toEqual({
      streamId: expect.any(String),
      projectId,
      config: { endpoint: "somewhere" },
    });
    expect((await api.call("GET", `/projects/${projectId}/eventstreams`)).body.event_streams).toEqual([]);
  });

  it("warns when the role can be assumed without the project id as ExternalId (the emulator never checks it)", async () => {
    const projectId = newProject();
    const destination = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, destination.topicArn);
    const created = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: { type: "sns", topic_arn: destination.topicArn, role_arn: roleArn },
    });
    // Accepted, with the warning and the condition that fixes it.
    expect(created.status).toBe(201);
    expect(created.body.warnings).toEqual([
      expect.objectContaining({
        code: "ExternalIdNotRequired",
        message: expect.stringContaining(roleArn),
        hint: expect.stringContaining(`"sts:ExternalId": "${projectId}"`),
      }),
    ]);
    // Shown again when the destination is verified again (a resume), not on a read.
    const path = `/projects/${projectId}/eventstreams/${created.body.id}`;
    expect((await api.call("GET", path)).body.warnings).toBeUndefined();
    await api.call("PATCH", path, { body: { status: "paused" } });
    const resumed = await api.call("PATCH", path, { body: { status: "active" } });
    expect(resumed.body.warnings?.[0]?.code).toBe("ExternalIdNotRequired");
  });

  it("a role and a topic that both do not exist: 422 NotFound from the publish", async () => {
    const projectId = newProject();
    const topic = uniqueName("no-such-topic");
    const response = await api.call("POST", `/projects/${projectId}/eventstreams`, {
      body: {
        type: "sns",
        topic_arn: `arn:aws:sns:us-east-1:123456789012:${topic}`,
        role_arn: "arn:aws:iam::123456789012:role/no-such-role",
      },
    });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: "verification_failed", destination_code: "NotFound" });
    expect(response.body.error.message).toContain(topic);
  });

  it("a paused stream is not verified when paused, only when resumed", async () => {
    const projectId = newProject();
    const created = await api.call("POST", `/projects/${projectId}/eventstreams?verify=false`, {
      body: { type: "refusing", endpoint: "somewhere", status: "paused" },
    });
    expect(created.status).toBe(201);
    const path = `/projects/${projectId}/eventstreams/${created.body.id}`;
    expect((await api.call("PATCH", path, { body: { event_types: ["LoginSucceeded"] } })).status).toBe(200);
    const resumed = await api.call("PATCH", path, { body: { status: "active" } });
    expect(resumed.status).toBe(422);
    expect((await api.call("GET", path)).body).toMatchObject({ status: "paused", revision: 2 });
  });
});
