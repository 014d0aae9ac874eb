import { ConfigResourceTypes, type Kafka } from "kafkajs";
import type { Logger } from "pino";
import { withAdmin } from "../kafka/with-admin";

/** How often the topics' retention is looked up again (an operator may change it). */
const REFRESH_EVERY_MS = 5 * 60_000;

/**
 * How long each domain topic keeps its records (`retention.ms`), looked up now and then and read
 * from memory: a paused stream's oldest kept event expires that long after it was written.
 */
export class TopicRetention {
  private readonly byTopic = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: readonly string[],
    private readonly logger: Logger,
  ) {}

  /** Looks the retention up (a topic that does not exist yet is looked up next time). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_EVERY_MS);
    this.timer.unref();
  }

  /** Milliseconds; undefined when not known (yet) or unlimited. */
  of(topic: string): number | undefined {
    return this.byTopic.get(topic);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      await withAdmin(this.kafka, async (admin) => {
        const existing = new Set(await admin.listTopics());
        const present = this.topics.filter((t) => existing.has(t));
        if (present.length === 0) return;
        const { resources } = await admin.describeConfigs({
          includeSynonyms: false,
          resources: present.map((name) => ({
            type: ConfigResourceTypes.TOPIC,
            name,
            configNames: ["retention.ms"],
          })),
        });
        for (const resource of resources) {
          const value = Number(
            resource.configEntries.find((e) => e.configName === "retention.ms")?.configValue,
          );
          if (Number.isFinite(value) && value > 0) this.byTopic.set(resource.resourceName, value);
          else this.byTopic.delete(resource.resourceName);
        }
      });
    } catch (error) {
      this.logger.warn({ err: error }, "could not look up the domain topics' retention");
    }
  }
}
