import { Command, CommanderError } from "commander";
import { errorMessage } from "../../src/util/error-message";
import { registerApiCommand } from "./commands/api";
import { registerConnectorCommand } from "./commands/connector";
import { registerDemoCommand } from "./commands/demo";
import { registerDlqCommands } from "./commands/dlq";
import { registerEventStreamCommands } from "./commands/event-streams";
import { registerEventsCommands } from "./commands/events";
import { registerProduceCommand } from "./commands/produce";
import { registerRetryCommands } from "./commands/retry";
import { registerSchemasCommands } from "./commands/schemas";
import { registerSecretsCommands } from "./commands/secrets";
import { registerStackCommands } from "./commands/stack";
import { registerTopicsCommands } from "./commands/topics";

/** Every subcommand of `eventstreams` registers itself here. */
export function buildProgram(): Command {
  const program = new Command("eventstreams")
    .description("Live event streams: deliver identity-platform events to each customer's infrastructure")
    .showHelpAfterError()
    .exitOverride();
  registerStackCommands(program);
  registerDemoCommand(program);
  registerEventsCommands(program);
  registerSchemasCommands(program);
  registerTopicsCommands(program);
  registerProduceCommand(program);
  registerConnectorCommand(program);
  registerApiCommand(program);
  registerEventStreamCommands(program);
  registerRetryCommands(program);
  registerDlqCommands(program);
  registerSecretsCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`error: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  }
}
