import type { Admin } from "kafkajs";
import { Gauge, type Registry } from "prom-client";

/**
 * Consumer lag per partition (end offset minus committed offset), refreshed on an interval. It is
 * the one number that says whether the connector keeps up.
 */
export class LagMonitor {
  private readonly lag: Gauge;
  private timer?: NodeJS.Timeout;
  /** Sum over partitions at the last refresh. */
  total = 0;

  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly topics: readonly string[],
    registry: Registry,
  ) {
    this.lag = new Gauge({
      name: "eventstreams_consumer_lag",
      help: "Records in the domain topics not yet committed by the connector group, per partition",
      labelNames: ["topic", "partition"],
      registers: [registry],
    });
  }

  start(intervalMs = 5_000): void {
    const tick = () => this.refresh().catch(() => undefined);
    void tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    const committed = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [...this.topics] });
    let total = 0;
    for (const { topic, partitions } of committed) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const done = partitions.find((p) => p.partition === end.partition)?.offset ?? "-1";
        // -1: nothing committed yet; the group reads from the beginning (low watermark).
        const from = done === "-1" ? Number(end.low) : Number(done);
        const lag = Math.max(0, Number(end.high) - from);
        this.lag.set({ topic, partition: String(end.partition) }, lag);
        total += lag;
      }
    }
    this.total = total;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
