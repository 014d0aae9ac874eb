import { newProject, startTestApi, type TestApi } from "../../support/api";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:orders";
const ROLE = "arn:aws:iam::123456789012:role/event-streamer";
const valid = { type: "sns", topic_arn: TOPIC, role_arn: ROLE };

interface Case {
  name: string;
  method?: "POST" | "PATCH";
  body?: unknown;
  rawBody?: string;
  project?: string;
  query?: string;
  headers?: Record<string, string>;
  status: number;
  field: string;
}

const cases: Case[] = [
  { name: "empty object", body: {}, status: 400, field: "type" },
  { name: "no body at all", rawBody: "", status: 400, field: "body" },
  { name: "body is not JSON", rawBody: "{not json", status: 400, field: "body" },
  { name: "body is an array", body: [valid], status: 400, field: "body" },
  { name: "unknown type", body: { ...valid, type: "carrier-pigeon" }, status: 400, field: "type" },
  { name: "type is a number", body: { ...valid, type: 3 }, status: 400, field: "type" },
  { name: "missing topic_arn", body: { type: "sns", role_arn: ROLE }, status: 400, field: "topic_arn" },
  { name: "missing role_arn", body: { type: "sns", topic_arn: TOPIC }, status: 400, field: "role_arn" },
  { name: "topic ARN not an ARN", body: { ...valid, topic_arn: "orders" }, status: 400, field: "topic_arn" },
  {
    name: "topic ARN with an http URL",
    body: { ...valid, topic_arn: "https://sns.us-east-1.amazonaws.com/orders" },
    status: 400,
    field: "topic_arn",
  },
  {
    name: "topic ARN with 11 account digits",
    body: { ...valid, topic_arn: "arn:aws:sns:us-east-1:12345678901:orders" },
    status: 400,
    field: "topic_arn",
  },
  {
    name: "topic ARN with 13 account digits",
    body: { ...valid, topic_arn: "arn:aws:sns:us-east-1:1234567890123:orders" },
    status: 400,
    field: "topic_arn",
  },
  {
    name: "topic ARN with letters in the account",
    body: { ...valid, topic_arn: "arn:aws:sns:us-east-1:12345678901x:orders" },
    status: 400,
    field: "topic_arn",
  },
  {
    name: "topic ARN of another service",
    body: { ...valid, topic_arn: "arn:aws:sqs:us-east-1:123456789012:orders" },
    status: 400,
    field: "topic_arn",
  },
  {
    name: "topic ARN without a region",
    body: { ...valid, topic_arn: "arn:aws:sns::123456789012:orders" },
    status: 400,
    field: "topic_arn",
  },
  {
    name: "role ARN with an http URL",
    body: { ...valid, role_arn: "http://iam.amazonaws.com/role/x" },
    status: 400,
    field: "role_arn",
  },
  {
    name: "role ARN with a short account",
    body: { ...valid, role_arn: "arn:aws:iam::1234:role/event-streamer" },
    status: 400,
    field: "role_arn",
  },
  {
    name: "role ARN of a user",
    body: { ...valid, role_arn: "arn:aws:iam::123456789012:user/bob" },
    status: 400,
    field: "role_arn",
  },
  { name: "role ARN not a string", body: { ...valid, role_arn: 42 }, status: 400, field: "role_arn" },
  { name: "unknown field", body: { ...valid, colour: "blue" }, status: 400, field: "colour" },
  { name: "camelCase field", body: { ...valid, topicArn: TOPIC }, status: 400, field: "topicArn" },
  { name: "read-only field", body: { ...valid, revision: 7 }, status: 400, field: "revision" },
  { name: "unknown status", body: { ...valid, status: "stopped" }, status: 400, field: "status" },
  {
    name: "unknown event name",
    body: { ...valid, event_types: ["IdentityCreated", "IdentityExploded"] },
    status: 400,
    field: "event_types[1]",
  },
  {
    name: "event_types not an array",
    body: { ...valid, event_types: "LoginSucceeded" },
    status: 400,
    field: "event_types",
  },
  {
    name: "event name listed twice",
    body: { ...valid, event_types: ["LoginSucceeded", "LoginSucceeded"] },
    status: 400,
    field: "event_types",
  },
  { name: "event name empty", body: { ...valid, event_types: [""] }, status: 400, field: "event_types[0]" },
  { name: "non-UUID project", body: valid, project: "my-project", status: 400, field: "project_id" },
  { name: "unknown query parameter", body: valid, query: "?force=true", status: 400, field: "force" },
  { name: "verify not a boolean", body: valid, query: "?verify=maybe", status: 400, field: "verify" },
  {
    name: "oversized body",
    body: { ...valid, event_types: Array.from({ length: 2000 }, (_, i) => `Event${i}`.padEnd(40, "x")) },
    status: 413,
    field: "",
  },
  { name: "patch with an empty body", method: "PATCH", body: {}, status: 400, field: "body" },
  { name: "patch changing the type", method: "PATCH", body: { type: "https" }, status: 400, field: "type" },
  {
    name: "patch with a bad topic ARN",
    method: "PATCH",
    body: { topic_arn: "arn:aws:sns:x" },
    status: 400,
    field: "topic_arn",
  },
  {
    name: "patch with a malformed If-Match",
    method: "PATCH",
    body: { status: "paused" },
    headers: { "if-match": "yesterday" },
    status: 400,
    field: "if-match",
  },
  {
    name: "patch with an unknown event name",
    method: "PATCH",
    body: { event_types: ["Nope"] },
    status: 400,
    field: "event_types[0]",
  },
];

describe("bad input: the right status, and a message naming the field", () => {
  let api: TestApi;
  const projectId = newProject();
  let streamPath: string;

  beforeAll(async () => {
    api = await startTestApi({ maxStreamsPerProject: 2 });
    const created = await api.call("POST", `/projects/${projectId}/eventstreams?verify=false`, {
      body: valid,
    });
    expect(created.status).toBe(201);
    streamPath = `/projects/${projectId}/eventstreams/${created.body.id}`;
  });

  afterAll(async () => {
    await api?.close();
  });

  it("has at least 25 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)("$name → $status", async (c) => {
    const before = await api.call("GET", `/projects/${projectId}/eventstreams`);
    const method = c.method ?? "POST";
    const path =
      method === "PATCH" ? streamPath : `/projects/${c.project ?? newProject()}/eventstreams${c.query ?? ""}`;
    const response = await api.call(method, path, { body: c.body, rawBody: c.rawBody, headers: c.headers });
    expect(response.status).toBe(c.status);
    expect(Object.keys(response.body)).toEqual(["error"]);
    expect(response.body.error).toEqual(
      expect.objectContaining({
        code: expect.any(String),
        message: expect.any(String),
      }),
    );
    expect(response.body.error).toHaveProperty("field");
    if (c.field) {
      expect(response.body.error.field).toBe(c.field);
      expect(response.body.error.message).toContain(c.field);
    }
    expect(JSON.stringify(response.body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
    expect((await api.call("GET", `/projects/${projectId}/eventstreams`)).body).toEqual(before.body);
  });

  it("too many streams in a project → 409 naming project_id", async () => {
    const project = newProject();
    const path = `/projects/${project}/eventstreams?verify=false`;
    expect((await api.call("POST", path, { body: valid })).status).toBe(201);
    expect((await api.call("POST", path, { body: valid })).status).toBe(201);
    const third = await api.call("POST", path, { body: valid });
    expect(third.status).toBe(409);
    expect(third.body.error).toMatchObject({ code: "limit_exceeded", field: "project_id" });
    expect((await api.call("GET", `/projects/${project}/eventstreams`)).body.event_streams).toHaveLength(2);
  });

  it("an unknown stream id → 404; an unknown route → 404, same error shape", async () => {
    const missing = await api.call("GET", `/projects/${projectId}/eventstreams/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    const route = await api.call("GET", "/nowhere");
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe("not_found");
  });
});
