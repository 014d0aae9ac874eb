import type { Command } from "commander";
import { clientEnvironment, stackEndpoints, stackSettings } from "../../../src/settings/stack-settings";
import { LocalStack, type ServiceStatus } from "../../stack/stack";

export function registerStackCommands(program: Command): void {
  const stack = program.command("stack").description("the local Kafka, schema registry and AWS emulator");
  const progress = (line: string) => process.stderr.write(`${line}\n`);

  stack
    .command("up")
    .description("install what is missing, start what is not running, wait until all are healthy")
    .option("--json", "print the final status as JSON")
    .action(async (options: { json?: boolean }) => {
      const started = Date.now();
      const status = await new LocalStack().up(progress);
      progress(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      print(status, options.json);
      if (status.some((s) => !s.healthy)) process.exitCode = 3;
      if (!options.json) {
        process.stdout.write(
          `\nThe settings that reach this stack (eval "$(npx eventstreams stack env)" sets them in a shell):\n${shellExports()}`,
        );
      }
    });

  stack
    .command("env")
    .description(
      'the settings that reach the local stack, as shell exports: eval "$(eventstreams stack env)"',
    )
    .action(() => {
      process.stdout.write(shellExports());
    });

  stack
    .command("down")
    .description("stop the processes that `stack up` started")
    .action(async () => {
      await new LocalStack().down(progress);
    });

  stack
    .command("status")
    .description("each service's pid, URL and health")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) => {
      const status = await new LocalStack().status();
      print(status, options.json);
      if (status.some((s) => !s.healthy)) process.exitCode = 3;
    });
}

function print(status: ServiceStatus[], json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  const rows = status.map((s) => [
    s.name,
    s.healthy ? "healthy" : s.problem ? "unhealthy" : "down",
    s.pid === null ? "-" : String(s.pid),
    s.rssMiB === null ? "-" : `${s.rssMiB} MiB`,
    s.url,
  ]);
  process.stdout.write(table(["SERVICE", "HEALTH", "PID", "RSS", "URL"], rows));
  for (const s of status) if (s.problem) process.stdout.write(`\n${s.name}: ${s.problem}\n`);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

/**
 * KAFKA_BROKERS, SCHEMA_REGISTRY_URL and the standard AWS settings of the emulator (its throwaway
 * credentials included: they are not secrets), one `export` a line, quoted for any POSIX shell.
 */
function shellExports(): string {
  const env = clientEnvironment(stackEndpoints(stackSettings()));
  return Object.entries(env)
    .map(([key, value]) => `export ${key}='${value.replaceAll("'", "'\\''")}'\n`)
    .join("");
}
