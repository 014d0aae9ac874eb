/** A time in the viewer's zone, with UTC on hover. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span>–</span>;
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <span>{at}</span>;
  return (
    <time dateTime={date.toISOString()} title={`${date.toISOString().replace("T", " ").slice(0, 19)} UTC`}>
      {date.toLocaleString()}
    </time>
  );
}
