import { useEffect, useState } from "preact/hooks";
import { api, OWN_FIELDS, type StreamView, streamsPath, type Waiting } from "../api";
import { ErrorNote } from "../error-note";
import type { Session } from "../session";
import { When } from "../when";

/** The project's streams: type, destination, status, health, backlog. */
export function Streams({ session }: { session: Session }) {
  const [streams, setStreams] = useState<StreamView[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ event_streams: StreamView[] }>(session, "GET", streamsPath(session)).then(
      (answer) => setStreams(answer.event_streams),
      (failure: Error) => setError(failure.message),
    );
  }, [session]);
  return (
    <section aria-labelledby="streams">
      <h1 id="streams">Event streams</h1>
      <a href="#/new">Create a stream</a>
      <ErrorNote message={error} />
      {streams && streams.length === 0 && <p>No streams yet: create one.</p>}
      {streams && streams.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Stream</th>
              <th>Type</th>
              <th>Destination</th>
              <th>Status</th>
              <th>Health</th>
            </tr>
          </thead>
          <tbody>
            {streams.map((stream) => (
              <tr key={stream.id}>
                <td class="wrap">
                  <a href={`#/streams/${encodeURIComponent(stream.id)}`}>{stream.id}</a>
                </td>
                <td>{stream.type}</td>
                <td class="wrap">{destinationOf(stream)}</td>
                <td class={`status-${stream.status}`}>
                  {stream.status}
                  {stream.status === "paused" && stream.backlog?.waiting && (
                    <>
                      {" "}
                      <BacklogOf waiting={stream.backlog.waiting} />
                    </>
                  )}
                </td>
                <td>{healthOf(stream)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** What a paused stream keeps: how many events, and when the oldest expires. */
export function BacklogOf({ waiting }: { waiting: Waiting }) {
  return (
    <span data-testid="backlog">
      ({waiting.events} event{waiting.events === 1 ? "" : "s"} waiting
      {waiting.oldest_expires_at && (
        <>
          , the oldest kept until <When at={waiting.oldest_expires_at} />
        </>
      )}
      )
    </span>
  );
}

/** A stream's destination settings as text: `topic_arn=... role_arn=...`. */
export function destinationOf(stream: StreamView): string {
  return Object.entries(stream)
    .filter(([name]) => !OWN_FIELDS.has(name))
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
}

/** The connectors' view of a stream: its breaker's state, and the reason it last failed. */
export function healthOf(stream: StreamView): string {
  const health = stream.health as { status?: string; reason?: string; code?: string } | null | undefined;
  const reason = health?.reason ?? health?.code;
  // The connectors write a stream's health when it changes: none yet means nothing went wrong.
  if (!health?.status || health.status === "unknown") return "no failures reported";
  return `${health.status}${reason ? ` (${reason})` : ""}`;
}
