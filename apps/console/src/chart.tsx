/** One minute of a stream's deliveries, as the API's summary gives them. */
export interface Minute {
  at: string;
  delivered: number;
  failed: number;
}

const WIDTH = 600;
const HEIGHT = 120;

/**
 * Delivered and failed per minute over the last hour: stacked bars drawn as SVG (no script or
 * style inside, so the CSP holds), each minute's figures on hover, and the totals for screen readers.
 */
export function MinuteChart({ minutes }: { minutes: Minute[] }) {
  const most = Math.max(1, ...minutes.map((m) => m.delivered + m.failed));
  const bar = WIDTH / Math.max(minutes.length, 1);
  const delivered = minutes.reduce((n, m) => n + m.delivered, 0);
  const failed = minutes.reduce((n, m) => n + m.failed, 0);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Last hour, per minute: ${delivered} delivered, ${failed} failed`}
      preserveAspectRatio="none"
    >
      {minutes.map((m, i) => {
        const ok = (m.delivered / most) * HEIGHT;
        const bad = (m.failed / most) * HEIGHT;
        return (
          <g key={m.at}>
            <title>{`${new Date(m.at).toLocaleTimeString()}: ${m.delivered} delivered, ${m.failed} failed`}</title>
            <rect x={i * bar + 1} y={HEIGHT - ok} width={bar - 2} height={ok} fill="#2da44e" />
            <rect x={i * bar + 1} y={HEIGHT - ok - bad} width={bar - 2} height={bad} fill="#cf222e" />
          </g>
        );
      })}
    </svg>
  );
}
