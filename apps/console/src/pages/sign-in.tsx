import { useState } from "preact/hooks";
import { api, streamsPath } from "../api";
import { ErrorNote } from "../error-note";
import { type Session, signIn } from "../session";

interface ProjectPage {
  projects: { id: string; streams: number }[];
  next_after: string | null;
  admin: boolean;
}

/**
 * Sign-in with a project token, or an admin token that then picks the project to look at. The
 * project id may be left out: the API says which projects the token may manage.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string>();
  const [choices, setChoices] = useState<{ token: string; page: ProjectPage }>();

  const enter = async (session: Session) => {
    try {
      await api(session, "GET", streamsPath(session));
      signIn(session);
      onSignedIn();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const token = String(form.get("token") ?? "").trim();
    const projectId = String(form.get("project") ?? "").trim();
    if (!token) return setError("Enter an API token.");
    if (projectId) return enter({ token, projectId });
    try {
      const page = await api<ProjectPage>({ token, projectId: "" }, "GET", "/projects");
      const only = page.projects[0];
      if (!page.admin && only) return enter({ token, projectId: only.id });
      setChoices({ token, page });
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  if (choices) {
    const { token, page } = choices;
    return (
      <section aria-labelledby="pick">
        <h1 id="pick">Pick a project</h1>
        <p class="hint">An admin token may manage every project: these have event streams.</p>
        {page.projects.length === 0 ? (
          <p>No project has event streams yet: sign in again with a project id to create the first.</p>
        ) : (
          <ul class="choices">
            {page.projects.map((p) => (
              <li key={p.id}>
                <button type="button" onClick={() => enter({ token, projectId: p.id })}>
                  {p.id}
                </button>{" "}
                <span class="hint">
                  {p.streams} stream{p.streams === 1 ? "" : "s"}
                </span>
              </li>
            ))}
          </ul>
        )}
        {page.next_after && <p class="hint">More projects: sign in with a project id to open one of them.</p>}
        <ErrorNote message={error} />
        <button type="button" onClick={() => setChoices(undefined)}>
          Back
        </button>
      </section>
    );
  }
  return (
    <section aria-labelledby="sign-in">
      <h1 id="sign-in">Sign in</h1>
      <form onSubmit={submit}>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" required />
        <p class="hint">A project token, or an admin token. It stays in this tab only.</p>
        <label for="project">Project id</label>
        <input id="project" name="project" placeholder="8f14e45f-ceea-467a-9575-6b5a2f3c1d2e" />
        <p class="hint">
          Optional: left empty, a project token opens its project and an admin token lists them.
        </p>
        <ErrorNote message={error} />
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
