/**
 * The hostile receivers in a process of their own (see spawnHostileReceivers). Serves scenario i
 * under `/a/<i>`, prints `{ port, stallPort, ca }` as one JSON line, and runs until killed.
 */
import { HOSTILE_SCENARIOS, startHostileReceivers } from "./hostile-destinations";

async function main(): Promise<void> {
  const receivers = await startHostileReceivers();
  const urls = HOSTILE_SCENARIOS.map((scenario, i) => new URL(receivers.endpoint(scenario, `/a/${i}`)));
  const portOf = (stall: boolean) =>
    Number(urls.find((_, i) => Boolean(HOSTILE_SCENARIOS[i]?.tlsStall) === stall)?.port);
  const ready = { port: portOf(false), stallPort: portOf(true), ca: receivers.server.ca };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
