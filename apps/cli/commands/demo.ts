import type { Command } from "commander";
import { integerSetting, portSetting } from "../../../src/settings/parse";
import { runDemo } from "../../demo/demo";
import { duration } from "../options";

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
        durationMs: flags.duration ? duration("--duration")(flags.duration) : undefined,
        rate: integerSetting("--rate", flags.rate, { min: 1, max: 10_000 }),
        apiPort: portSetting("--api-port", flags.apiPort),
        opsPort: portSetting("--ops-port", flags.opsPort),
        keepStack: flags.keepStack === true,
      });
    });
}
