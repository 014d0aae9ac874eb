import type { Command } from "commander";
import { smokeRoundTrip } from "../../demo/smoke";
import { clientEnvironment, stackEndpoints } from "../../stack/settings";
import { LocalStack } from "../../stack/stack";

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("bring the local stack up and send an event through Kafka to SNS and back from SQS")
    .action(async () => {
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const stack = new LocalStack();
      await stack.up(say);
      const endpoints = stackEndpoints(stack.settings);
      // The demo's own processes use the local stack unless the caller configured otherwise.
      for (const [key, value] of Object.entries(clientEnvironment(endpoints))) process.env[key] ??= value;
      await smokeRoundTrip(endpoints, say);
      say(
        "the stack stays up: `npx eventstreams stack status`, and `npx eventstreams stack down` to stop it",
      );
    });
}
