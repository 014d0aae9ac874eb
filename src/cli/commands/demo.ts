import type { Command } from "commander";
import { runDemo } from "../../demo/demo";
import { parseDuration } from "../endpoints";

interface DemoFlags {
  duration?: string;
  rate: string;
  apiPort: string;
  opsPort: string;
  keepStack?: boolean;
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("the whole product on the local stack, with a live view of what a customer receives")
    .option("--duration <time>", "stop after this long, e.g. 30s or 2m (default: at Ctrl-C)")
    .option("--rate <n>", "events per second from the simulated product services", "30")
    .option("--api-port <port>", "port of the demo's HTTP API", "8080")
    .option("--ops-port <port>", "port of the connector's /metrics", "9464")
    .option("--keep-stack", "leave the local stack running at the end, if the demo started it")
    .action(async (flags: DemoFlags) => {
      await runDemo({
        durationMs: flags.duration ? parseDuration(flags.duration) : undefined,
        rate: Number(flags.rate),
        apiPort: Number(flags.apiPort),
        opsPort: Number(flags.opsPort),
        keepStack: flags.keepStack === true,
      });
    });
}
