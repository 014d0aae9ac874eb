import { existsSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { findProjectRoot } from "../../src/project-root";

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it): browsers cannot be downloaded here. */
export const CHROMIUM = process.env.EVENTSTREAMS_CHROMIUM ?? "/usr/bin/chromium";

/** Where the browser tests leave their screenshots (git-ignored). */
export const SCREENSHOTS = path.join(findProjectRoot(), "test-output", "console");

/**
 * Headless Chromium, started as this machine allows it: no sandbox (tests run as root), and none
 * of the background connections a closed network refuses. Fails, never skips, without a browser.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set EVENTSTREAMS_CHROMIUM`,
    );
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
