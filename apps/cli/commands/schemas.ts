import type { Command } from "commander";
import { RegistryAdmin } from "../../../src/schemas/registry-admin";
import {
  checkDomainSchemas,
  DEFAULT_COMPATIBILITY,
  describeProblems,
  registerDomainSchemas,
} from "../../../src/schemas/schema-sync";
import { defaultRegistryUrl, defaultTopicPrefix } from "../options";
import { table } from "./stack";

interface SchemaOptions {
  registryUrl: string;
  prefix: string;
  dir?: string;
  json?: boolean;
}

export function registerSchemasCommands(program: Command): void {
  const schemas = program
    .command("schemas")
    .description("the Avro value schemas of the domain topics (schemas/*.avsc)");
  const common = (command: Command) =>
    command
      .option(
        "--registry-url <url>",
        "Confluent-compatible registry API (default SCHEMA_REGISTRY_URL or the local stack)",
      )
      .option("--prefix <prefix>", "topic prefix (default EVENTSTREAMS_TOPIC_PREFIX)", defaultTopicPrefix())
      .option("--dir <dir>", "folder of the .avsc files (default schemas/)")
      .option("--json", "print as JSON");

  common(schemas.command("register"))
    .description("register every domain schema under <topic>-value and set its compatibility (idempotent)")
    .option("--compatibility <level>", "compatibility level of each subject", DEFAULT_COMPATIBILITY)
    .action(async (options: SchemaOptions & { compatibility: string }) => {
      const admin = new RegistryAdmin(options.registryUrl ?? defaultRegistryUrl());
      const outcomes = await registerDomainSchemas(admin, options);
      if (options.json) return void process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
      const rows = outcomes.map((o) => [
        o.subject,
        String(o.id),
        o.changed ? "registered" : "unchanged",
        o.compatibility,
      ]);
      process.stdout.write(table(["SUBJECT", "ID", "RESULT", "COMPATIBILITY"], rows));
    });

  common(schemas.command("check"))
    .description("fail if the working tree's schemas would break consumers of what is registered")
    .action(async (options: SchemaOptions) => {
      const admin = new RegistryAdmin(options.registryUrl ?? defaultRegistryUrl());
      const outcomes = await checkDomainSchemas(admin, options);
      if (options.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
      else
        process.stdout.write(
          table(
            ["SUBJECT", "STATUS"],
            outcomes.map((o) => [o.subject, o.status]),
          ),
        );
      const problems = describeProblems(outcomes);
      if (problems.length > 0) {
        throw new Error(`incompatible schema change:\n  ${problems.join("\n  ")}`);
      }
    });
}
