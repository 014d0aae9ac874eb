import type { Command } from "commander";
import { Kafka, logLevel } from "kafkajs";
import { createEventPublisher } from "../../../producers/publisher";
import { isDomain } from "../../../src/catalog/catalog";
import { DOMAINS, type Domain } from "../../../src/events/domain-event";
import { RegistryAdmin } from "../../../src/schemas/registry-admin";
import { registerDomainSchemas } from "../../../src/schemas/schema-sync";
import { DEFAULT_TOPIC_SETTINGS, ensureDomainTopics } from "../../../src/topics/create-topics";
import { runSimulation, type SimulationProgress } from "../../simulate/simulation";
import {
  defaultBrokers,
  defaultRegistryUrl,
  defaultTopicPrefix,
  duration,
  positiveInteger,
} from "../options";

interface ProduceOptions {
  domain: string;
  rate: number;
  projects: number;
  duration?: number;
  count?: number;
  brokers?: string;
  registryUrl?: string;
  prefix: string;
  setup: boolean;
}

export function registerProduceCommand(program: Command): void {
  program
    .command("produce")
    .description("simulated product services: publish a realistic mix of catalog events at a steady rate")
    .option("--domain <domain>", `all, or one of ${DOMAINS.join(", ")}`, "all")
    .option("--rate <n>", "events per second", positiveInteger("--rate"), 500)
    .option("--projects <n>", "how many projects the events spread over", positiveInteger("--projects"), 50)
    .option(
      "--duration <duration>",
      "stop after this long, e.g. 60s (default 60s unless --count)",
      duration("--duration"),
    )
    .option("--count <n>", "stop after this many events", positiveInteger("--count"))
    .option("--brokers <list>", "Kafka bootstrap brokers (default KAFKA_BROKERS or the local stack)")
    .option("--registry-url <url>", "schema registry API (default SCHEMA_REGISTRY_URL or the local stack)")
    .option("--prefix <prefix>", "topic prefix (default EVENTSTREAMS_TOPIC_PREFIX)", defaultTopicPrefix())
    .option("--no-setup", "do not create missing topics and register schemas first")
    .action(async (options: ProduceOptions) => {
      const domains = domainsOf(options.domain);
      const brokers = options.brokers ?? defaultBrokers();
      const registryUrl = options.registryUrl ?? defaultRegistryUrl();
      if (options.setup) await setUp(brokers, registryUrl, options.prefix);
      const publisher = createEventPublisher({
        brokers,
        registryUrl,
        topicPrefix: options.prefix,
        source: "simulator",
      });
      const durationMs = options.duration ?? (options.count === undefined ? 60_000 : undefined);
      const line = progressLine();
      try {
        const result = await runSimulation(publisher, {
          domains,
          rate: options.rate,
          projects: options.projects,
          durationMs,
          count: options.count,
          onProgress: line.update,
        });
        line.done(result);
        if (result.failed > 0) throw new Error(`${result.failed} events failed: ${result.lastError}`);
      } finally {
        await publisher.close();
      }
    });
}

function domainsOf(raw: string): Domain[] {
  if (raw === "all") return [...DOMAINS];
  const domains = raw.split(",");
  for (const domain of domains) {
    if (!isDomain(domain))
      throw new Error(`unknown domain "${domain}": use all, or one of ${DOMAINS.join(", ")}`);
  }
  return domains as Domain[];
}

async function setUp(brokers: string, registryUrl: string, prefix: string): Promise<void> {
  const admin = new Kafka({
    clientId: "eventstreams-produce",
    brokers: brokers.split(","),
    logLevel: logLevel.ERROR,
  }).admin();
  await admin.connect();
  try {
    await ensureDomainTopics(admin, { ...DEFAULT_TOPIC_SETTINGS, prefix });
  } finally {
    await admin.disconnect();
  }
  await registerDomainSchemas(new RegistryAdmin(registryUrl), { prefix });
}

/** One line rewritten in place on a terminal; one line per update otherwise (logs, CI). */
function progressLine() {
  const tty = process.stderr.isTTY === true;
  const format = (p: SimulationProgress) =>
    `sent ${p.acknowledged} events (${p.generated - p.acknowledged - p.failed} pending, ${p.failed} failed) in ${(p.elapsedMs / 1000).toFixed(0)} s, ${p.rate.toFixed(0)} events/s`;
  return {
    update: (p: SimulationProgress) => process.stderr.write(tty ? `\r${format(p)}\x1b[K` : `${format(p)}\n`),
    done: (p: SimulationProgress) =>
      process.stderr.write(`${tty ? "\r" : ""}${format(p)}${tty ? "\x1b[K" : ""}\n`),
  };
}
