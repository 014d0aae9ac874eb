import type { Browser, Page } from "playwright-core";
import { waitFor } from "../../src/util/wait-for";
import { type ConnectorProcess, spawnConnector } from "../../support/connector-process";
import { createPipeline, type Pipeline } from "../../support/pipeline";
import { startWebhookServer, trustedReceiverEnv, type WebhookServer } from "../../support/webhook-server";
import { newProject, newToken } from "../support/api";
import { createPublisherRole, createTopicWithQueue } from "../support/aws-fixtures";
import { launchBrowser, screenshot } from "../support/browser";
import { type ApiProcess, spawnApi } from "../support/cli";
import { receiveMessages } from "../support/sqs";

const XSS = "<img src=x onerror=alert(1)>";

/**
 * The console watching a running connector: events produced show up in its figures and logs, a
 * paused stream's backlog drains on resume, a failing destination's dead letters are redriven, an
 * admin picks a project and replays. Headless Chromium, the real API, connector, broker and emulator.
 */
describe("the web console over a running connector", () => {
  const projectId = newProject();
  const projectToken = newToken();
  const adminToken = newToken();
  let pipeline: Pipeline;
  let server: WebhookServer;
  let api: ApiProcess;
  let connector: ConnectorProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const dialogs: string[] = [];
  /** When the SNS journey began: the replay goes back to it. */
  let startedAt = 0;
  const produced: string[] = [];
  let snsQueue: string;

  beforeAll(async () => {
    server = await startWebhookServer();
    pipeline = await createPipeline(3);
    const env = {
      ...pipeline.env,
      ...trustedReceiverEnv(server),
      EVENTSTREAMS_RETRY_LADDER: "300ms,600ms",
      EVENTSTREAMS_ADMIN_TOKEN: adminToken,
      EVENTSTREAMS_PROJECT_TOKENS: JSON.stringify({ [projectId]: projectToken }),
    };
    api = await spawnApi(env);
    connector = spawnConnector(env);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    connector?.child.kill("SIGKILL");
    await connector?.exited;
    await api?.stop();
    await pipeline?.close();
    await server?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });
  afterEach(async () => {
    await page.close();
  });

  const signIn = async (token: string) => {
    await page.goto(`${api.url}/console/`);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
  };
  /** A figure of the stream page, once it reaches `at least` (the page refreshes every 5 s). */
  const figureReaches = (testId: string, atLeast: number) => {
    let shown: string | null = null;
    return waitFor(
      async () => {
        shown = await page.getByTestId(testId).textContent();
        return Number(shown) >= atLeast;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: () => `${testId} to reach ${atLeast} (shows ${shown})\n${connector.output()}`,
      },
    );
  };
  /** Event ids the SNS journey's queue received, as many times as they came. */
  const arrived: string[] = [];
  const arrivedTimes = (times: number) =>
    waitFor(
      async () => {
        const messages = await receiveMessages(snsQueue, 0);
        arrived.push(...messages.map((m) => String((JSON.parse(m.Body ?? "{}") as { id?: string }).id)));
        return produced.every((id) => arrived.filter((a) => a === id).length >= times);
      },
      { timeoutMs: 60_000, description: () => `each event on the SNS queue ${times} time(s)` },
    );
  /** The deliveries log (successes sampled, one a second per stream) shows one of these delivered. */
  const logShowsOneOf = async (ids: string[]) => {
    let log = "";
    await waitFor(
      async () => {
        log = (await page.getByRole("table").last().textContent()) ?? "";
        return log.includes("delivered") && ids.some((id) => log.includes(id));
      },
      { timeoutMs: 30_000, intervalMs: 250, description: () => `the deliveries log moving (shows ${log})` },
    );
  };
  const publish = async (count: number, attributes: Record<string, string> = {}) => {
    const events = await pipeline.publisher.publishMany(
      Array.from({ length: count }, () => ({
        name: "LoginSucceeded" as const,
        projectId,
        eventAttributes: attributes,
      })),
    );
    return events.map((e) => e.id);
  };

  it("shows produced events delivered, then a paused stream's backlog draining on resume", async () => {
    startedAt = Date.now();
    const destination = await createTopicWithQueue();
    snsQueue = destination.queueUrl;
    const roleArn = await createPublisherRole(projectId, destination.topicArn);
    // A project token needs no project id: it opens its own project.
    await signIn(projectToken);
    await page.getByText("No streams yet: create one.").waitFor();
    await page.getByRole("link", { name: "Create a stream" }).click();
    await page.getByLabel("topic_arn").fill(destination.topicArn);
    await page.getByLabel("role_arn").fill(roleArn);
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByText("Status: active").waitFor();

    produced.push(...(await publish(5)));
    await figureReaches("delivered-hour", 5);
    await logShowsOneOf(produced);
    await screenshot(page, "live-delivered");

    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByText("Status: paused").waitFor();
    produced.push(...(await publish(20)));
    await page.getByText("20 events waiting").waitFor({ timeout: 60_000 });
    await screenshot(page, "live-backlog");
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByText("Status: active").waitFor();
    await figureReaches("delivered-hour", 25);
    await page.getByText("Backlog delivered: 20 events.").waitFor({ timeout: 60_000 });
    await logShowsOneOf(produced.slice(5));
    await screenshot(page, "live-drained");

    // What the console says is what the destination got.
    await arrivedTimes(1);
    expect(errors).toEqual([]);
  }, 180_000);

  it("shows a failing destination's reason and dead letters as text, and redrives them", async () => {
    const path = `/${projectId}/failing`;
    let failing = true;
    const answer = server.reply;
    server.reply = (request) => (request.path === path && failing ? { status: 400 } : answer(request));
    const created = await fetch(`${api.url}/projects/${projectId}/eventstreams?verify=false`, {
      method: "POST",
      headers: { authorization: `Bearer ${projectToken}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "https", https_endpoint: server.url("127.0.0.1", path) }),
    });
    expect(created.status).toBe(201);
    const streamId = ((await created.json()) as { id: string }).id;
    const failed = await publish(3, { note: XSS });
    // The SNS stream of the first journey takes them too.
    produced.push(...failed);

    await signIn(projectToken);
    await page.getByRole("link", { name: streamId }).click();
    await figureReaches("failed-hour", 3);
    await page.getByLabel("Failed only").check();
    await page.getByRole("cell", { name: "HTTP400: the endpoint answered 400" }).first().waitFor();

    const redrive = page.getByRole("button", { name: "Redrive 3 dead letters" });
    await redrive.waitFor({ timeout: 60_000 });
    // The hostile attribute is shown as the text it is: no element made of it, no script run.
    await page
      .getByRole("cell", { name: `note=${XSS}` })
      .first()
      .waitFor();
    expect(await page.getByRole("cell", { name: `note=${XSS}` }).count()).toBe(3);
    expect(await page.locator("main img, section img").count()).toBe(0);
    await screenshot(page, "live-dead-letters");

    failing = false;
    await redrive.click();
    await page.getByText("Redrive: 3 sent to the retry path again.").waitFor();
    const delivered = () =>
      new Set(server.requests.filter((r) => r.path === path).map((r) => String(r.headers["webhook-id"])));
    await waitFor(() => failed.every((id) => delivered().has(id)), {
      timeoutMs: 60_000,
      description: () => `the redriven events delivered\n${connector.output()}`,
    });
    await page.getByText("(redriven)").first().waitFor();
    await screenshot(page, "live-redriven");
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    server.reply = answer;
  }, 180_000);

  it("lets an admin token pick the project, and replays from a time with a progress bar", async () => {
    await signIn(adminToken);
    await page.getByRole("heading", { name: "Pick a project" }).waitFor();
    await page.getByRole("button", { name: projectId }).click();
    await page.getByText(`Project ${projectId}`).waitFor();
    const sns = page.getByRole("row").filter({ hasText: "topic_arn=" });
    await sns.getByRole("link").click();
    await page.getByText("Status: active").waitFor();

    // The form's time is the viewer's local time: written as the page's own clock would.
    const local = await page.evaluate((at) => {
      const d = new Date(at);
      const pad = (n: number) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    }, startedAt - 1_000);
    await page.getByLabel("Deliver again every event since (your time zone)").fill(local);
    await page.getByRole("button", { name: "Replay" }).click();
    await page.getByTestId("replay-progress").waitFor();
    await page
      .getByText(`done: ${produced.length} delivered, 0 failed`)
      .waitFor({ timeout: 60_000 })
      .catch(async (error: Error) => {
        await screenshot(page, "live-replay-failed");
        throw new Error(`${error.message}\nshows: ${await page.getByTestId("replay-status").textContent()}`);
      });
    expect(await page.getByTestId("replay-progress").getAttribute("value")).toBe("1");
    await screenshot(page, "live-replayed");

    // And the destination got each event a second time.
    await arrivedTimes(2);
    expect(errors).toEqual([]);
  }, 180_000);
});
