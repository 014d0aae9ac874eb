import { type DeliveredEvent, DOMAINS, type Domain } from "../../src/events/domain-event";

const zero = (): Record<Domain, number> => ({ identities: 0, oauth2: 0, permissions: 0 });

/** What the demo counts: produced and received per domain, latency, duplicates, the last events. */
export class DemoStats {
  readonly produced = zero();
  readonly delivered = zero();
  private readonly lastTick = { produced: zero(), delivered: zero() };
  readonly perSecond = { produced: zero(), delivered: zero() };
  private readonly latenciesMs: number[] = [];
  private readonly seen = new Set<string>();
  duplicates = 0;
  readonly recent: DeliveredEvent[] = [];
  /** From the connector's /metrics. */
  connector = { retryable: 0, deadLettered: 0, lag: 0 };

  recordProduced(domain: Domain, count = 1): void {
    this.produced[domain] += count;
  }

  recordReceived(event: DeliveredEvent, domain: Domain, receivedAt: number): void {
    if (this.seen.has(event.id)) {
      this.duplicates++;
      return;
    }
    this.seen.add(event.id);
    this.delivered[domain]++;
    this.latenciesMs.push(receivedAt - Date.parse(event.timestamp));
    this.recent.unshift(event);
    this.recent.length = Math.min(this.recent.length, 5);
  }

  /** Call once a second: turns the counters into per-second rates. */
  tick(): void {
    for (const d of DOMAINS) {
      this.perSecond.produced[d] = this.produced[d] - this.lastTick.produced[d];
      this.perSecond.delivered[d] = this.delivered[d] - this.lastTick.delivered[d];
      this.lastTick.produced[d] = this.produced[d];
      this.lastTick.delivered[d] = this.delivered[d];
    }
  }

  total(counts: Record<Domain, number>): number {
    return DOMAINS.reduce((sum, d) => sum + counts[d], 0);
  }

  /** Percentile of publish → received-from-the-queue latency, in ms. */
  latency(p: number): number | undefined {
    if (this.latenciesMs.length === 0) return undefined;
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  }
}
