import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks (https://www.standardwebhooks.com) signing: `webhook-signature` carries
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per active secret, space separated.
 */
export const SECRET_PREFIX = "whsec_";
export const SECRET_PATTERN = "^whsec_[A-Za-z0-9+/]{32,88}={0,2}$";

export function generateSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

function key(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    "base64",
  );
}

export function sign(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac("sha256", key(secret)).update(`${id}.${timestamp}.`).update(body);
  return `v1,${mac.digest("base64")}`;
}

export function signatureHeader(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string | Buffer,
): string {
  return secrets.map((secret) => sign(secret, id, timestamp, body)).join(" ");
}

export class WebhookVerificationError extends Error {}

export interface VerifyWebhookOptions {
  /** How far the timestamp may be from now, either way (replay protection). Default 300. */
  toleranceSeconds?: number;
  now?: () => number;
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

/**
 * For receivers: checks a delivery's signature against one or more secrets (several during a
 * rotation on the receiver's side) and its timestamp's freshness. Returns the parsed body; throws
 * WebhookVerificationError otherwise. Pass the raw body exactly as received.
 */
export function verifyWebhook(
  secrets: string | readonly string[],
  headers: Headers,
  body: string | Buffer,
  options: VerifyWebhookOptions = {},
): unknown {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("missing webhook headers");
  const seconds = Number(timestamp);
  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError("invalid webhook-timestamp");
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  if (Math.abs(now - seconds) > (options.toleranceSeconds ?? 300))
    throw new WebhookVerificationError("webhook-timestamp is outside the tolerance");
  const offered = signatures
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"));
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) {
    const expected = Buffer.from(sign(secret, id, seconds, body).slice(3), "base64");
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) {
      return JSON.parse(body.toString());
    }
  }
  throw new WebhookVerificationError("no matching signature");
}

function header(headers: Headers, name: string): string | undefined {
  if (typeof headers.get === "function") return headers.get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}
