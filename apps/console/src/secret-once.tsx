import { useState } from "preact/hooks";

/** A secret shown the one time the API returns it, with a copy button; never kept anywhere else. */
export function SecretOnce({ label, secret }: { label: string; secret: string }) {
  const [copied, setCopied] = useState<string>();
  const copy = () =>
    navigator.clipboard.writeText(secret).then(
      () => setCopied("Copied."),
      () => setCopied("Copying is not allowed here: select the text and copy it."),
    );
  return (
    <section aria-label={label}>
      <p>
        <strong>{label}</strong> (shown this once: keep it now)
      </p>
      <p class="secret" data-testid="secret">
        {secret}
      </p>
      <button type="button" onClick={copy}>
        Copy
      </button>
      {copied && <span role="status">{copied}</span>}
    </section>
  );
}

/** The secret a create or rotate answer reveals, if any (reads show it masked). */
export function revealedSecret(stream: Record<string, unknown>): string | undefined {
  const secret = stream.secret;
  return typeof secret === "string" && !/^\*+$/.test(secret) ? secret : undefined;
}
