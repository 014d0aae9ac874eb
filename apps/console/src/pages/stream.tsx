import { useEffect, useState } from "preact/hooks";
import { api, type StreamView, streamPath } from "../api";
import { type Minute, MinuteChart } from "../chart";
import { ErrorNote } from "../error-note";
import { revealedSecret, SecretOnce } from "../secret-once";
import type { Session } from "../session";
import { When } from "../when";
import { DeadLetters } from "./dead-letters";
import { ReplayPanel } from "./replay-panel";
import { BacklogOf, destinationOf, healthOf } from "./streams";

interface Delivery {
  at: string;
  event_id: string;
  event_name: string;
  attempt: number;
  outcome: string;
  code: string | null;
  message: string | null;
  latency_ms: number;
  next: string;
}

interface Summary {
  last_hour?: { delivered: number; failed: number; throttled?: number };
  in_flight_limit?: number | null;
  last_day?: { delivered: number; failed: number };
  latency_ms?: { p50: number | null; p99: number | null };
  last_success_at?: string | null;
  last_failure?: { at: string; code: string | null; message: string | null } | null;
}

const REFRESH_MS = 5_000;

/** One stream: its summary, its deliveries log, and what may be done with it. */
export function Stream({ session, id }: { session: Session; id: string }) {
  const [stream, setStream] = useState<StreamView>();
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [failedOnly, setFailedOnly] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  /** The new secret of a rotation, shown once; only in this page's memory. */
  const [rotated, setRotated] = useState<string>();
  const [minutes, setMinutes] = useState<Minute[]>();
  const path = streamPath(session, id);

  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    api<StreamView>(session, "GET", path).then(setStream, (failure: Error) => setError(failure.message));
    api<{ minutes: Minute[] }>(session, "GET", `${path}/minutes`).then(
      (answer) => setMinutes(answer.minutes),
      () => setMinutes(undefined),
    );
    api<{ deliveries: Delivery[] }>(
      session,
      "GET",
      `${path}/deliveries?limit=50${failedOnly ? "&outcome=failed" : ""}`,
    ).then(
      (answer) => setDeliveries(answer.deliveries),
      () => setDeliveries([]),
    );
  }, [session, path, failedOnly, tick]);

  const act = async (what: string, call: () => Promise<string>) => {
    setError(undefined);
    try {
      setNotice(await call());
      setTick((t) => t + 1);
    } catch (failure) {
      setError(`${what}: ${(failure as Error).message}`);
    }
  };
  if (!stream) return <section>{error ? <ErrorNote message={error} /> : <p>Loading…</p>}</section>;
  const summary = (stream.summary ?? {}) as Summary;
  const topics = Object.values(stream.catch_up ?? {});
  const catchUp =
    topics.length > 0
      ? { done: topics.every((t) => t.done), delivered: topics.reduce((n, t) => n + t.delivered, 0) }
      : undefined;
  return (
    <>
      <section aria-labelledby="stream">
        <h1 id="stream">{stream.id}</h1>
        <p>
          {stream.type} to {destinationOf(stream)}
        </p>
        <p class={`status-${stream.status}`}>
          Status: {stream.status}
          {stream.paused_reason && ` (${stream.paused_reason})`}; health: {healthOf(stream)}
        </p>
        {stream.status === "paused" && stream.backlog?.waiting && (
          <p>
            Kept while paused: <BacklogOf waiting={stream.backlog.waiting} />
          </p>
        )}
        {stream.status === "active" && catchUp && (
          <p data-testid="catch-up">
            {catchUp.done
              ? `Backlog delivered: ${catchUp.delivered} events.`
              : `Delivering the backlog: ${catchUp.delivered} events so far.`}
          </p>
        )}
        <div class="figures">
          <div>
            <strong data-testid="delivered-hour">{summary.last_hour?.delivered ?? 0}</strong> delivered, last
            hour
          </div>
          <div>
            <strong data-testid="failed-hour">{summary.last_hour?.failed ?? 0}</strong> failed, last hour
          </div>
          <div>
            <strong>{summary.last_day?.delivered ?? 0}</strong> delivered, last day
          </div>
          <div>
            <strong data-testid="throttled-hour">{summary.last_hour?.throttled ?? 0}</strong> throttled, last
            hour
          </div>
          <div>
            <strong>{summary.in_flight_limit ?? "–"}</strong> calls in flight at most
            {stream.rate_limit ? `, ${String(stream.rate_limit)} events/s limit` : ""}
          </div>
          <div>
            <strong>
              {summary.latency_ms?.p50 ?? "–"} / {summary.latency_ms?.p99 ?? "–"} ms
            </strong>
            p50 / p99
          </div>
        </div>
        {minutes && <MinuteChart minutes={minutes} />}
        <p>
          Last success: <When at={summary.last_success_at} />; last failure:{" "}
          {summary.last_failure ? (
            <>
              <When at={summary.last_failure.at} /> {summary.last_failure.code} {summary.last_failure.message}
            </>
          ) : (
            "none"
          )}
        </p>
        <button
          type="button"
          onClick={() =>
            act(stream.status === "active" ? "Pause" : "Resume", async () => {
              await api(session, "PATCH", path, { status: stream.status === "active" ? "paused" : "active" });
              return stream.status === "active"
                ? "Paused: its events are kept."
                : "Resumed: its backlog goes first.";
            })
          }
        >
          {stream.status === "active" ? "Pause" : "Resume"}
        </button>
        <button
          type="button"
          onClick={() =>
            act("Test event", async () => {
              const answer = await api<{
                outcome: string;
                code: string | null;
                message: string | null;
                latency_ms: number;
              }>(session, "POST", `${path}/test`);
              return `Test event: ${answer.outcome}${answer.code ? ` (${answer.code}: ${answer.message})` : ""} in ${answer.latency_ms} ms`;
            })
          }
        >
          Send a test event
        </button>
        {"secret" in stream && (
          <button
            type="button"
            onClick={() =>
              act("Rotate secret", async () => {
                const answer = await api<StreamView>(session, "POST", `${path}/rotate-secret`);
                setRotated(revealedSecret(answer));
                return "Secret rotated: the old one keeps signing for 24 hours.";
              })
            }
          >
            Rotate secret
          </button>
        )}
        <a href={`#/streams/${encodeURIComponent(stream.id)}/edit`}>Edit</a>
        {rotated && <SecretOnce label="The new signing secret" secret={rotated} />}
        {notice && <p role="status">{notice}</p>}
        <ErrorNote message={error} />
      </section>
      <section aria-labelledby="deliveries">
        <h2 id="deliveries">Deliveries</h2>
        <label class="inline">
          <input
            type="checkbox"
            checked={failedOnly}
            onChange={(e) => setFailedOnly((e.currentTarget as HTMLInputElement).checked)}
          />{" "}
          Failed only
        </label>
        <p class="hint">Every failure is listed; successes are sampled, one a second per stream.</p>
        {deliveries.length === 0 ? (
          <p>No deliveries yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>At</th>
                <th>Event</th>
                <th>Outcome</th>
                <th>Destination said</th>
                <th>Latency</th>
                <th>Next</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={`${d.event_id}-${d.attempt}-${d.at}`}>
                  <td>
                    <When at={d.at} />
                  </td>
                  <td>
                    {d.event_name} <span class="hint">{d.event_id}</span>
                  </td>
                  <td>{d.outcome}</td>
                  <td>{[d.code, d.message].filter(Boolean).join(": ")}</td>
                  <td>{d.latency_ms} ms</td>
                  <td>{d.next}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <DeadLetters session={session} path={path} tick={tick} />
      <ReplayPanel
        session={session}
        path={path}
        current={stream.replay && !stream.replay.cancelledAt ? stream.replay.id : undefined}
      />
    </>
  );
}
