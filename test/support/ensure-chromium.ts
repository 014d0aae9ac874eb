import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CHROMIUM } from "./browser";

/**
 * The browser tests need Debian's Chromium (browser downloads from the internet fail here). When
 * it is missing and we are root (CI on a fresh machine), install it with apt; otherwise say how.
 */
export function ensureChromium(log: (line: string) => void): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    log(
      `warning: no Chromium at ${CHROMIUM}: the browser tests will fail; install it with: sudo apt-get install chromium`,
    );
    return;
  }
  log("browser: installing Debian's chromium for the console tests (apt-get, a few minutes)");
  const apt = (args: string[]) =>
    execFileSync("apt-get", args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  apt(["update", "-qq"]);
  apt(["install", "-y", "-qq", "chromium"]);
  log(`browser: ${existsSync(CHROMIUM) ? "installed" : "still missing after apt-get"} ${CHROMIUM}`);
}
