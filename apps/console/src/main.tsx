import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { SignIn } from "./pages/sign-in";
import { Stream } from "./pages/stream";
import { StreamForm } from "./pages/stream-form";
import { Streams } from "./pages/streams";
import { currentSession, signOut } from "./session";

/** The route in the URL's hash: `#/streams/<id>`, `#/new`... (no server routes to keep in step). */
function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}

function App() {
  const route = useRoute();
  const [session, setSession] = useState(currentSession);
  if (!session) return <SignIn onSignedIn={() => setSession(currentSession())} />;
  const [page, id, sub] = route;
  const go = (hash: string) => {
    location.hash = hash;
  };
  return (
    <>
      <header>
        <a href="#/">Event streams</a>
        <span>Project {session.projectId}</span>
        <button
          type="button"
          onClick={() => {
            signOut();
            setSession(undefined);
            go("#/");
          }}
        >
          Sign out
        </button>
      </header>
      {page === "new" ? (
        <StreamForm session={session} onSaved={(saved) => go(`#/streams/${encodeURIComponent(saved)}`)} />
      ) : page === "streams" && id && sub === "edit" ? (
        <StreamForm
          session={session}
          id={id}
          onSaved={(saved) => go(`#/streams/${encodeURIComponent(saved)}`)}
        />
      ) : page === "streams" && id ? (
        <Stream session={session} id={id} />
      ) : (
        <Streams session={session} />
      )}
    </>
  );
}

const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  render(<App />, root);
}
