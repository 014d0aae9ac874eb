/**
 * Offset commits of the connector instances, from their Prometheus counter
 * (`eventstreams_offset_commits_total`), scraped every `intervalMs`. A killed instance's counter
 * starts again from 0 in its successor: a drop counts as a reset, not as negative commits, and
 * what an instance did after its last scrape is not seen.
 */
export class CommitCounter {
  total = 0;
  private readonly last = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ports: readonly number[],
    intervalMs = 2_000,
  ) {
    this.timer = setInterval(() => void this.scrape(), intervalMs);
  }

  private async scrape(): Promise<void> {
    await Promise.all(
      this.ports.map(async (port) => {
        const value = await commitsAt(port);
        if (value === undefined) return; // between a kill and the restart
        const previous = this.last.get(port) ?? 0;
        this.total += value >= previous ? value - previous : value;
        this.last.set(port, value);
      }),
    );
  }

  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.scrape();
    return this.total;
  }
}

async function commitsAt(port: number): Promise<number | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1_000) });
    const text = await response.text();
    const line = /^eventstreams_offset_commits_total\{result="ok"\} (\d+)/m.exec(text);
    return line ? Number(line[1]) : 0;
  } catch {
    return undefined;
  }
}
