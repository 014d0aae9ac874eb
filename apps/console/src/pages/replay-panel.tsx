import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../error-note";
import type { Session } from "../session";

interface ReplayProgress {
  id: string;
  since: string;
  found: number;
  delivered: number;
  failed: number;
  done: boolean;
  progress: number;
  cancelled_at: string | null;
}

const POLL_MS = 1_000;

/** "Replay from a time": the stream's events since then delivered again, with a progress bar. */
export function ReplayPanel({
  session,
  path,
  current,
}: {
  session: Session;
  path: string;
  /** The stream's latest replay, if any (its id). */
  current?: string;
}) {
  const [replay, setReplay] = useState<ReplayProgress>();
  const [error, setError] = useState<string>();
  const [watching, setWatching] = useState(current);

  useEffect(() => {
    if (!watching) return;
    let stopped = false;
    const look = () =>
      api<ReplayProgress>(session, "GET", `${path}/replays/${encodeURIComponent(watching)}`).then(
        (answer) => {
          if (stopped) return;
          setReplay(answer);
          if (!answer.done && !answer.cancelled_at) timer = setTimeout(look, POLL_MS);
        },
        (failure: Error) => !stopped && setError(failure.message),
      );
    let timer: ReturnType<typeof setTimeout> | undefined;
    void look();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [session, path, watching]);

  const start = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const local = String(new FormData(event.currentTarget as HTMLFormElement).get("since") ?? "");
    // The input is in the viewer's zone; the API takes an instant.
    const since = new Date(local);
    if (!local || Number.isNaN(since.getTime())) return setError("Pick the time to replay from.");
    try {
      const answer = await api<ReplayProgress>(session, "POST", `${path}/replays`, {
        since: since.toISOString(),
      });
      setReplay(answer);
      setWatching(answer.id);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <section aria-labelledby="replay">
      <h2 id="replay">Replay</h2>
      <form onSubmit={start}>
        <label for="replay-since">Deliver again every event since (your time zone)</label>
        <input id="replay-since" name="since" type="datetime-local" step="1" required />
        <button type="submit">Replay</button>
      </form>
      {replay && (
        <div>
          <progress
            aria-label="Replay progress"
            max={1}
            value={replay.progress}
            data-testid="replay-progress"
          />{" "}
          <span role="status" data-testid="replay-status">
            {replay.cancelled_at
              ? "cancelled"
              : replay.done
                ? `done: ${replay.delivered} delivered, ${replay.failed} failed`
                : `${Math.round(replay.progress * 100)}%: ${replay.delivered} delivered, ${replay.failed} failed`}
          </span>
        </div>
      )}
      <ErrorNote message={error} />
    </section>
  );
}
