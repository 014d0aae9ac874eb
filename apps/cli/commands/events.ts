import type { Command } from "commander";
import { CATALOG_ENTRIES, isDomain } from "../../../src/catalog/catalog";
import { DOMAINS } from "../../../src/events/domain-event";
import { table } from "./stack";

export function registerEventsCommands(program: Command): void {
  const events = program.command("events").description("the event catalog");
  events
    .command("list")
    .description("every event name product services may emit, per domain")
    .option("--domain <domain>", `only one domain: ${DOMAINS.join(", ")}`)
    .option("--json", "print as JSON")
    .action((options: { domain?: string; json?: boolean }) => {
      if (options.domain !== undefined && !isDomain(options.domain)) {
        throw new Error(`unknown domain "${options.domain}": use one of ${DOMAINS.join(", ")}`);
      }
      const entries = CATALOG_ENTRIES.filter(
        (e) => options.domain === undefined || e.domain === options.domain,
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        table(
          ["DOMAIN", "NAME", "DESCRIPTION"],
          entries.map((e) => [e.domain, e.name, e.description]),
        ),
      );
    });
}
