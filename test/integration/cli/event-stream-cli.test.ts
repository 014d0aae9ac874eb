import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateEventBusCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { uniqueName } from "../../../support/unique";
import { newProject, newToken } from "../../support/api";
import { createPublisherRole, createTopicWithQueue } from "../../support/aws-fixtures";
import { type ApiProcess, runCli, spawnApi } from "../../support/cli";

// Runs the compiled CLI: `npm test` compiles first (scripts/bootstrap.mjs); alone, run `npm run build`.
describe("eventstreams CLI against `eventstreams api`", () => {
  const topic = uniqueName("eventstreams.config");
  const adminToken = newToken();
  const projectId = newProject();
  const projectToken = newToken();
  /** A project of its own for the AWS sinks' flags, so the first project's listing stays its own. */
  const awsProjectId = newProject();
  const awsProjectToken = newToken();
  const apiEnv = {
    EVENTSTREAMS_CONFIG_TOPIC: topic,
    EVENTSTREAMS_ADMIN_TOKEN: adminToken,
    EVENTSTREAMS_PROJECT_TOKENS: JSON.stringify({
      [projectId]: projectToken,
      [awsProjectId]: awsProjectToken,
    }),
  };
  let api: ApiProcess;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { EVENTSTREAMS_API_URL: api.url, EVENTSTREAMS_API_TOKEN: projectToken, ...env });

  beforeAll(async () => {
    api = await spawnApi(apiEnv);
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
  });

  it("answers /healthz and /readyz without a token", async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
  });

  it("creates an EventBridge stream with its flags, verified against the customer's bus", async () => {
    const { EventBusArn } = await new EventBridgeClient({}).send(
      new CreateEventBusCommand({ Name: uniqueName("bus") }),
    );
    const busArn = EventBusArn as string;
    const roleArn = await createPublisherRole(awsProjectId, busArn);
    const created = await cli(
      [
        "create",
        "event-stream",
        "--project",
        awsProjectId,
        "--type",
        "eventbridge",
        "--aws-eventbridge-event-bus-arn",
        busArn,
        "--aws-iam-role-arn",
        roleArn,
        "--format",
        "json",
      ],
      { EVENTSTREAMS_API_TOKEN: awsProjectToken },
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      type: "eventbridge",
      event_bus_arn: busArn,
      role_arn: roleArn,
      status: "active",
    });
    const wrong = await cli(
      [
        "create",
        "event-stream",
        "--project",
        awsProjectId,
        "--type",
        "kinesis",
        "--aws-kinesis-stream-arn",
        "arn:aws:kinesis:eu-west-1:123456789012:events",
        "--aws-iam-role-arn",
        roleArn,
      ],
      { EVENTSTREAMS_API_TOKEN: awsProjectToken },
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("stream_arn");
    expect(wrong.stderr).toContain("arn:aws:kinesis:<region>:<12-digit account>:stream/<name>");
  });

  it("create, list, get, update, pause, resume, delete; state survives an API restart", async () => {
    const destination = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, destination.topicArn);
    const created = await cli([
      "create",
      "event-stream",
      "--project",
      projectId,
      "--type",
      "sns",
      "--aws-sns-topic-arn",
      destination.topicArn,
      "--aws-iam-role-arn",
      roleArn,
      "--event-types",
      "IdentityCreated,LoginSucceeded",
      "--rate-limit",
      "100",
      "--format",
      "json",
    ]);
    // The emulator lets any ExternalId in: the CLI shows the warning and the condition to add.
    expect(created.stderr).toContain("warning (ExternalIdNotRequired)");
    expect(created.stderr).toContain(`"sts:ExternalId": "${projectId}"`);
    expect(created.code).toBe(0);
    const stream = JSON.parse(created.stdout);
    expect(stream).toMatchObject({
      type: "sns",
      topic_arn: destination.topicArn,
      role_arn: roleArn,
      status: "active",
      event_types: ["IdentityCreated", "LoginSucceeded"],
      rate_limit: 100,
    });

    const table = await cli(["list", "event-streams", "--project", projectId]);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split("\n");
    expect(header).toMatch(/^ID\s+TYPE\s+STATUS\s+HEALTH\s+EVENT TYPES\s+DESTINATION\s+REVISION$/);
    expect(row).toContain(stream.id);
    expect(row).toContain("IdentityCreated,LoginSucceeded");

    const got = await cli(["get", "event-stream", stream.id, "--project", projectId]);
    expect(got.stdout).toMatch(new RegExp(`TOPIC_ARN\\s+${destination.topicArn}`));

    const updated = await cli([
      "update",
      "event-stream",
      stream.id,
      "--project",
      projectId,
      "--event-types",
      "",
      "--rate-limit",
      "none",
      "--format",
      "json",
    ]);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({
      event_types: [],
      rate_limit: null,
      revision: 2,
      topic_arn: destination.topicArn,
    });

    const paused = await cli([
      "pause",
      "event-stream",
      stream.id,
      "--project",
      projectId,
      "--format",
      "json",
    ]);
    expect(JSON.parse(paused.stdout)).toMatchObject({ status: "paused", revision: 3 });

    // Restart: everything is read back from the config topic.
    await api.stop();
    api = await spawnApi(apiEnv);
    const afterRestart = await cli([
      "get",
      "event-stream",
      stream.id,
      "--project",
      projectId,
      "--format",
      "json",
    ]);
    expect(afterRestart.code).toBe(0);
    expect(JSON.parse(afterRestart.stdout)).toEqual(JSON.parse(paused.stdout));

    const resumed = await cli([
      "resume",
      "event-stream",
      stream.id,
      "--project",
      projectId,
      "--format",
      "json",
    ]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: "active", revision: 4 });

    const deleted = await cli(["delete", "event-stream", stream.id, "--project", projectId]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`deleted event stream ${stream.id}`);
    const empty = await cli(["list", "event-streams", "--project", projectId, "--format", "json"]);
    expect(JSON.parse(empty.stdout)).toEqual([]);
  }, 120_000); // two API starts and nine CLI processes, on a stack shared with other suites

  it("prints the API's message and exits non-zero on errors", async () => {
    const bad = await cli([
      "create",
      "event-stream",
      "--project",
      projectId,
      "--type",
      "sns",
      "--aws-sns-topic-arn",
      "https://example.com/topic",
      "--aws-iam-role-arn",
      "arn:aws:iam::123456789012:role/x",
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("topic_arn must be an SNS topic ARN");
    expect(bad.stdout).toBe("");

    const limit = await cli([
      "update",
      "event-stream",
      "any",
      "--project",
      projectId,
      "--rate-limit",
      "fast",
    ]);
    expect(limit.code).not.toBe(0);
    expect(limit.stderr).toContain('--rate-limit: "fast" is not a whole number of events a second (or none)');

    const missing = await cli(["get", "event-stream", "no-such-stream", "--project", projectId]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("was not found");

    const forbidden = await cli(["list", "event-streams", "--project", newProject()]);
    expect(forbidden.code).not.toBe(0);
    expect(forbidden.stderr).toContain("may not manage that project");

    const flags = await runCli([
      "list",
      "event-streams",
      "--project",
      projectId,
      "--api-url",
      api.url,
      "--token",
      "nope",
    ]);
    expect(flags.code).not.toBe(0);
    expect(flags.stderr).toContain("valid API token");

    const unreachable = await cli(["list", "event-streams", "--project", projectId], {
      EVENTSTREAMS_API_URL: "http://127.0.0.1:9",
    });
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).toContain("cannot reach the event streams API");
  });

  it("creates an HTTPS stream that authenticates with a token read from a file, with static headers", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cli-secret-"));
    const tokenFile = path.join(dir, "token");
    writeFileSync(tokenFile, "tok-from-a-file-1234\n", { mode: 0o600 });
    const created = await cli([
      "create",
      "event-stream",
      "--project",
      projectId,
      "--type",
      "https",
      "--https-endpoint",
      "https://webhooks.example.com/in",
      "--https-auth-bearer-token",
      `@${tokenFile}`,
      "--https-header",
      "X-Tenant=acme",
      "--https-header",
      "X-Region=eu",
      "--no-verify",
      "--format",
      "json",
    ]);
    expect(created.stderr).toBe("");
    const stream = JSON.parse(created.stdout);
    expect(stream.auth).toEqual({ type: "bearer", token: "tok-from-a-file-1234" });
    expect(stream.headers).toEqual({ "X-Tenant": "acme", "X-Region": "eu" });
    const read = await cli(["get", "event-stream", stream.id, "--project", projectId, "--format", "json"]);
    expect(JSON.parse(read.stdout).auth).toEqual({ type: "bearer", token: "********" });
    const refused = await cli([
      "update",
      "event-stream",
      stream.id,
      "--project",
      projectId,
      "--https-auth-basic",
      "no-colon-here",
      "--no-verify",
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--https-auth-basic must be USER:PASSWORD");
    expect(api.output()).not.toContain("tok-from-a-file-1234");
    await cli(["delete", "event-stream", stream.id, "--project", projectId]);
  });

  it("the API logs never contain a token", () => {
    for (const token of [adminToken, projectToken]) expect(api.output()).not.toContain(token);
  });
});
