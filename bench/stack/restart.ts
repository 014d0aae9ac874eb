import * as os from "node:os";
import { LocalStack } from "../../apps/stack/stack";
import { RegistryAdmin } from "../../src/schemas/registry-admin";
import { registerDomainSchemas } from "../../src/schemas/schema-sync";
import { stackEndpoints, VERSIONS } from "../../src/settings/stack-settings";
import { round } from "../producer/stats";
import { writeBenchResult } from "../results";

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const ROUNDS = Number(arg("rounds", "3"));
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface Round {
  upSeconds: number;
  healthySeconds: Record<string, number>;
  rssMiB: Record<string, number | null>;
  subjectsKept: number;
  idsKept: number;
}

async function main(): Promise<void> {
  const stack = new LocalStack();
  await stack.up(say);
  const admin = new RegistryAdmin(stackEndpoints(stack.settings).schemaRegistryUrl);
  const prefix = `bench-restart-${Date.now().toString(36)}`;
  const registered = await registerDomainSchemas(admin, { prefix });
  say(`registered ${registered.map((r) => `${r.subject}=${r.id}`).join(", ")}`);

  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await stack.down(say);
    const started = Date.now();
    const healthySeconds: Record<string, number> = {};
    await stack.up((line) => {
      say(line);
      const service = /^(\w+): healthy after/.exec(line)?.[1];
      if (service) healthySeconds[service] = round((Date.now() - started) / 1000, 2);
    });
    const upSeconds = round((Date.now() - started) / 1000, 2);
    const status = await stack.status();
    let subjectsKept = 0;
    let idsKept = 0;
    for (const r of registered) {
      const latest = await admin.latest(r.subject);
      if (latest) subjectsKept++;
      if (latest?.id === r.id) idsKept++;
    }
    const result: Round = {
      upSeconds,
      healthySeconds,
      rssMiB: Object.fromEntries(status.map((s) => [s.name, s.rssMiB])),
      subjectsKept,
      idsKept,
    };
    say(`round ${i + 1}: ${JSON.stringify(result)}`);
    rounds.push(result);
  }

  const report = {
    bench: "stack-restart",
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version },
    versions: VERSIONS,
    subjects: registered.length,
    rounds,
  };
  console.log("round  up (s)  kafka (s)  registry (s)  aws (s)  registry RSS (MiB)  subjects kept  ids kept");
  for (const [i, r] of rounds.entries()) {
    console.log(
      [
        String(i + 1).padEnd(5),
        String(r.upSeconds).padStart(7),
        String(r.healthySeconds.kafka ?? "-").padStart(10),
        String(r.healthySeconds.registry ?? "-").padStart(13),
        String(r.healthySeconds.aws ?? "-").padStart(8),
        String(r.rssMiB.registry ?? "-").padStart(19),
        `${r.subjectsKept}/${registered.length}`.padStart(14),
        `${r.idsKept}/${registered.length}`.padStart(9),
      ].join(" "),
    );
  }
  say(`wrote ${writeBenchResult("stack-restart", report)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
