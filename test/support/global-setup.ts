import { ensureSecretsKey } from "../../apps/stack/secrets-key";
import { LocalStack } from "../../apps/stack/stack";
import { clientEnvironment, stackEndpoints } from "../../src/settings/stack-settings";
import { startContainerStack } from "./container-stack";
import { ensureChromium } from "./ensure-chromium";

/**
 * Brings the chosen stack up once for all suites: the native stack by default (idempotent, so an
 * already running stack is reused), or docker compose through testcontainers with STACK=containers.
 */
export default async function globalSetup(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[stack] ${line}\n`);
  const stack = new LocalStack();
  if (process.env.STACK === "containers") {
    await startContainerStack(log);
    await ensureSecretsKey(stackEndpoints(stack.settings), log);
  } else {
    // Suites use topics of their own, so a stale default topic only deserves a warning here.
    for (const s of await stack.up(log)) if (s.problem) log(`warning: ${s.name}: ${s.problem}`);
  }
  Object.assign(process.env, clientEnvironment(stackEndpoints(stack.settings)));
  ensureChromium(log);
}
