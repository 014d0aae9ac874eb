import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../error-note";
import type { Session } from "../session";
import { When } from "../when";

interface DeadLetter {
  position: string;
  parked_at: string;
  reason: string;
  attempts: number;
  last_error: { sink: string | null; code: string | null; message: string | null };
  redriven: boolean;
  event: { id: string; name: string; occurred_at: string; attributes: Record<string, string> } | null;
}

/** The stream's dead letters, what each event was and why it failed, and their redrive. */
export function DeadLetters({ session, path, tick }: { session: Session; path: string; tick: number }) {
  const [letters, setLetters] = useState<DeadLetter[]>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const [again, setAgain] = useState(0);

  useEffect(() => {
    api<{ failures: DeadLetter[] }>(session, "GET", `${path}/failures?limit=50`).then(
      (answer) => setLetters(answer.failures),
      (failure: Error) => setError(failure.message),
    );
  }, [session, path, tick, again]);

  const redrive = async () => {
    setError(undefined);
    try {
      const answer = await api<{ redriven: number; already_redriven: number }>(
        session,
        "POST",
        `${path}/redrive`,
      );
      setNotice(
        `Redrive: ${answer.redriven} sent to the retry path again${answer.already_redriven ? `, ${answer.already_redriven} already were` : ""}.`,
      );
      setAgain((n) => n + 1);
    } catch (failure) {
      setError(`Redrive: ${(failure as Error).message}`);
    }
  };
  const waiting = letters?.filter((l) => !l.redriven).length ?? 0;
  return (
    <section aria-labelledby="dead-letters">
      <h2 id="dead-letters">Dead letters</h2>
      {letters && letters.length === 0 && (
        <p>No dead letters: every event was delivered or is still retrying.</p>
      )}
      {letters && letters.length > 0 && (
        <>
          <button type="button" onClick={redrive} disabled={waiting === 0}>
            Redrive {waiting} dead letter{waiting === 1 ? "" : "s"}
          </button>
          <table>
            <thead>
              <tr>
                <th>Dead since</th>
                <th>Event</th>
                <th>Attributes</th>
                <th>Why</th>
                <th>Attempts</th>
              </tr>
            </thead>
            <tbody>
              {letters.map((l) => (
                <tr key={l.position}>
                  <td>
                    <When at={l.parked_at} />
                    {l.redriven && <span class="hint"> (redriven)</span>}
                  </td>
                  <td class="wrap">
                    {l.event ? (
                      <>
                        {l.event.name} <span class="hint">{l.event.id}</span>
                      </>
                    ) : (
                      <span class="hint">not readable</span>
                    )}
                  </td>
                  <td class="wrap">
                    {Object.entries(l.event?.attributes ?? {})
                      .map(([name, value]) => `${name}=${value}`)
                      .join(" ")}
                  </td>
                  <td class="wrap">
                    {l.reason}: {[l.last_error.code, l.last_error.message].filter(Boolean).join(": ")}
                  </td>
                  <td>{l.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {notice && <p role="status">{notice}</p>}
      <ErrorNote message={error} />
    </section>
  );
}
