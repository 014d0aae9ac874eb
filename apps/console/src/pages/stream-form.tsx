import { useEffect, useState } from "preact/hooks";
import { ApiFailure, api, type StreamView, streamPath, streamsPath } from "../api";
import { ErrorNote } from "../error-note";
import { revealedSecret, SecretOnce } from "../secret-once";
import type { Session } from "../session";

interface FieldSchema {
  type?: string | string[];
  description?: string;
  errorMessage?: string;
  maxLength?: number;
  enum?: unknown[];
}

interface DestinationSchema {
  description?: string;
  required?: string[];
  properties?: Record<string, FieldSchema>;
}

/** Each sink's destination settings, from the API's own OpenAPI document (a data team's sink included). */
async function destinationSchemas(): Promise<Record<string, DestinationSchema>> {
  const document = (await (await fetch("/openapi.json")).json()) as {
    components?: { schemas?: Record<string, DestinationSchema> };
  };
  const out: Record<string, DestinationSchema> = {};
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {}))
    if (name.startsWith("Destination_")) out[name.slice("Destination_".length)] = schema;
  return out;
}

/**
 * Create or edit a stream: the form of each sink is generated from its config schema (text
 * fields for its string settings, described as the schema describes them); the API's field errors
 * are shown beside their field.
 */
export function StreamForm({
  session,
  id,
  onSaved,
}: {
  session: Session;
  id?: string;
  onSaved: (id: string) => void;
}) {
  const [schemas, setSchemas] = useState<Record<string, DestinationSchema>>();
  const [existing, setExisting] = useState<StreamView>();
  const [type, setType] = useState<string>("sns");
  const [failure, setFailure] = useState<ApiFailure>();
  /** A created stream whose secret is shown once before going on to it. */
  const [created, setCreated] = useState<{ id: string; secret: string }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    destinationSchemas().then(setSchemas, (e: Error) => setError(e.message));
    if (id)
      api<StreamView>(session, "GET", streamPath(session, id)).then(
        (stream) => {
          setExisting(stream);
          setType(stream.type);
        },
        (e: Error) => setError(e.message),
      );
  }, [session, id]);
  if (!schemas) return <section>{error ? <p class="error">{error}</p> : <p>Loading…</p>}</section>;
  const schema = schemas[type];
  const fields = Object.entries(schema?.properties ?? {}).filter(([, f]) => f.type === "string" || f.enum);

  const submit = async (event: Event) => {
    event.preventDefault();
    setFailure(undefined);
    setError(undefined);
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const body: Record<string, unknown> = id ? {} : { type };
    for (const [name] of fields) {
      const value = String(form.get(name) ?? "");
      if (value !== "" && value !== String(existing?.[name] ?? "")) body[name] = value;
    }
    const eventTypes = String(form.get("event_types") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (!id || eventTypes.join(",") !== (existing?.event_types ?? []).join(","))
      body.event_types = eventTypes;
    const verify = form.get("verify") === "on" ? "" : "?verify=false";
    try {
      const saved = id
        ? await api<StreamView>(session, "PATCH", `${streamPath(session, id)}${verify}`, body)
        : await api<StreamView>(session, "POST", `${streamsPath(session)}${verify}`, body);
      const secret = revealedSecret(saved);
      if (secret) setCreated({ id: saved.id, secret });
      else onSaved(saved.id);
    } catch (e) {
      if (e instanceof ApiFailure) setFailure(e);
      else setError((e as Error).message);
    }
  };
  const fieldError = (name: string) =>
    failure?.field === name ? (
      <p class="field-error" id={`${name}-error`} role="alert">
        {failure.message}
        {failure.hint ? ` (${failure.hint})` : ""}
      </p>
    ) : null;
  if (created)
    return (
      <section aria-labelledby="created">
        <h1 id="created">Created {created.id}</h1>
        <SecretOnce label="Its signing secret" secret={created.secret} />
        <button type="button" onClick={() => onSaved(created.id)}>
          Go to the stream
        </button>
      </section>
    );
  return (
    <section aria-labelledby="form">
      <h1 id="form">{id ? `Edit ${id}` : "Create a stream"}</h1>
      <form onSubmit={submit} key={`${type}-${existing?.revision ?? 0}`}>
        <label for="type">Destination type</label>
        <select
          id="type"
          value={type}
          disabled={Boolean(id)}
          onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value)}
        >
          {Object.keys(schemas).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        {schema?.description && <p class="hint">{schema.description}</p>}
        {fields.map(([name, field]) => (
          <div key={name}>
            <label for={name}>
              {name}
              {schema?.required?.includes(name) ? " (required)" : ""}
            </label>
            <input
              id={name}
              name={name}
              maxLength={field.maxLength}
              defaultValue={typeof existing?.[name] === "string" ? (existing[name] as string) : ""}
              aria-describedby={failure?.field === name ? `${name}-error` : undefined}
            />
            {(field.description ?? field.errorMessage) && (
              <p class="hint">{field.description ?? field.errorMessage}</p>
            )}
            {fieldError(name)}
          </div>
        ))}
        <label for="event_types">Event types</label>
        <input
          id="event_types"
          name="event_types"
          defaultValue={(existing?.event_types ?? []).join(", ")}
          placeholder="all"
        />
        <p class="hint">Comma-separated names (or prefixes ending in *); empty for all.</p>
        {fieldError("event_types")}
        <label class="inline">
          <input type="checkbox" name="verify" defaultChecked /> Verify the destination first (a test message)
        </label>
        {failure && !fields.some(([name]) => name === failure.field) && failure.field !== "event_types" && (
          <p class="error" role="alert">
            {failure.message}
            {failure.hint ? ` (${failure.hint})` : ""}
          </p>
        )}
        <ErrorNote message={error} />
        <button type="submit">{id ? "Save" : "Create"}</button>
      </form>
    </section>
  );
}
