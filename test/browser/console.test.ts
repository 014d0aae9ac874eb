import type { Browser, Page } from "playwright-core";
import { uniqueName } from "../../support/unique";
import { newProject, newToken } from "../support/api";
import { createPublisherRole, createTopicWithQueue } from "../support/aws-fixtures";
import { launchBrowser, screenshot } from "../support/browser";
import { type ApiProcess, spawnApi } from "../support/cli";

/**
 * The web console in headless Chromium against a real API (and, through it, the emulator's SNS):
 * each journey ends with a screenshot under test-output/console/.
 */
describe("the web console in a real browser", () => {
  const projectId = newProject();
  const projectToken = newToken();
  let api: ApiProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    api = await spawnApi({
      EVENTSTREAMS_CONFIG_TOPIC: uniqueName("eventstreams.config"),
      EVENTSTREAMS_ADMIN_TOKEN: newToken(),
      EVENTSTREAMS_PROJECT_TOKENS: JSON.stringify({ [projectId]: projectToken }),
    });
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("pageerror", (error) => errors.push(error.message));
    // The browser's own notes of failed requests (a wrong token's 401, a refused form's 400) are
    // expected here; script errors are not.
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
        errors.push(message.text());
    });
  });
  afterEach(async () => {
    await page.close();
  });

  const signIn = async (token: string) => {
    await page.goto(`${api.url}/console/`);
    await page.getByLabel("API token").fill(token);
    await page.getByLabel("Project id").fill(projectId);
    await page.getByRole("button", { name: "Sign in" }).click();
  };

  it("serves the console with a strict Content-Security-Policy", async () => {
    const response = await fetch(`${api.url}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("content-security-policy")).not.toContain("unsafe-inline");
  });

  it("says clearly when a token is wrong, signing in by keyboard alone", async () => {
    await page.goto(`${api.url}/console/`);
    await page.getByLabel("API token").focus();
    await page.keyboard.type("not-a-token");
    // Tab walks the form in order, to the button, and Enter presses it.
    await page.keyboard.press("Tab");
    await page.keyboard.type(projectId);
    await page.keyboard.press("Tab");
    const focused = await page
      .getByRole("button", { name: "Sign in" })
      .evaluate((button) => button.ownerDocument.activeElement === button);
    expect(focused).toBe(true);
    await page.keyboard.press("Enter");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("That token was not accepted");
    await screenshot(page, "wrong-token");
  });

  it("signs in, shows the empty state, and signs out forgetting the token", async () => {
    await signIn(projectToken);
    await page.getByText("No streams yet: create one.").waitFor();
    await screenshot(page, "empty-state");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API token").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("creates an SNS stream from the form generated from its schema, shows a field error beside its field", async () => {
    const { topicArn } = await createTopicWithQueue();
    const roleArn = await createPublisherRole(projectId, topicArn);
    await signIn(projectToken);
    await page.getByRole("link", { name: "Create a stream" }).click();
    await page.getByLabel("topic_arn").fill("arn:aws:sns:eu-west-1:not-an-account:topic");
    await page.getByLabel("role_arn").fill(roleArn);
    await page.getByRole("button", { name: "Create" }).click();
    const fieldError = page.locator("#topic_arn-error");
    await expect(fieldError.textContent()).resolves.toContain("must be an SNS topic ARN");
    await screenshot(page, "field-error");

    await page.getByLabel("topic_arn").fill(topicArn);
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByText("Status: active").waitFor();
    await page.getByRole("img", { name: "Last hour, per minute: 0 delivered, 0 failed" }).waitFor();
    await page.getByRole("button", { name: "Send a test event" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toContain("Test event: delivered");
    await screenshot(page, "stream");

    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByText("Status: paused").waitFor();
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByText("Status: active").waitFor();

    await page.getByRole("link", { name: "Event streams" }).click();
    const row = page.getByRole("row").filter({ hasText: topicArn });
    await expect(row.textContent()).resolves.toContain("active");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "streams-phone");
    expect(errors).toEqual([]);
  });

  it("shows an HTTPS stream's signing secret once at creation and once at rotation, never after", async () => {
    await signIn(projectToken);
    await page.getByRole("link", { name: "Create a stream" }).click();
    await page.getByLabel("Destination type").selectOption("https");
    await page.getByLabel("https_endpoint").fill("https://hooks.example.com/in");
    // example.com is not reachable from here: stored without the test message.
    await page.getByLabel("Verify the destination first (a test message)").uncheck();
    await page.getByRole("button", { name: "Create" }).click();
    const first = (await page.getByTestId("secret").textContent()) ?? "";
    expect(first).toMatch(/^whsec_/);
    await screenshot(page, "secret-once");

    await page.getByRole("button", { name: "Go to the stream" }).click();
    await page.getByText("Status: active").waitFor();
    await page.getByRole("button", { name: "Rotate secret" }).click();
    const second = (await page.getByTestId("secret").textContent()) ?? "";
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);

    await page.reload();
    await page.getByText("Status: active").waitFor();
    const shown = (await page.content()) + (await page.evaluate(() => JSON.stringify(sessionStorage)));
    expect(shown.includes(first) || shown.includes(second)).toBe(false);
    expect(shown).toContain("secret=********");
    expect(errors).toEqual([]);
  });
});
