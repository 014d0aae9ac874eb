/**
 * Sums the samples of one metric in Prometheus text format, optionally only those whose labels
 * include `match` (e.g. `outcome="retryable"`). Enough to show a few live figures in the demo.
 */
export function sumMetric(text: string, name: string, match?: string): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || line.startsWith("#")) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== "{" && rest[0] !== " ") continue; // another metric with this prefix
    if (match && !rest.includes(match)) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}
