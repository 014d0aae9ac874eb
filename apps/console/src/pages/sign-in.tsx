import { useState } from "preact/hooks";
import { api, streamsPath } from "../api";
import { signIn } from "../session";

/** Sign-in with a project token (or an admin token) and the project it manages. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const session = {
      token: String(form.get("token") ?? "").trim(),
      projectId: String(form.get("project") ?? "").trim(),
    };
    if (!session.token || !session.projectId) return setError("Enter a token and the project id it manages.");
    try {
      await api(session, "GET", streamsPath(session));
      signIn(session);
      onSignedIn();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <section aria-labelledby="sign-in">
      <h1 id="sign-in">Sign in</h1>
      <form onSubmit={submit}>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" required />
        <p class="hint">A project token, or an admin token. It stays in this tab only.</p>
        <label for="project">Project id</label>
        <input id="project" name="project" required placeholder="8f14e45f-ceea-467a-9575-6b5a2f3c1d2e" />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
