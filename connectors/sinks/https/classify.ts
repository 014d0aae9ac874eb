import type { DeliveryResult } from "../sink";
import { EndpointRefusedError } from "./address-policy";

/**
 * HTTP status → outcome. 2xx delivered; 408, 429 and 5xx are worth retrying (429 and 503 with the
 * receiver's Retry-After, and those two are throttling); 410 means the receiver is gone for good, so the stream is paused; other
 * 4xx and 3xx (redirects are never followed: they could point anywhere) will not get better.
 */
export function classifyStatus(
  status: number,
  retryAfter: string | undefined,
  now = Date.now(),
): DeliveryResult {
  if (status >= 200 && status < 300) return { outcome: "delivered" };
  const code = `HTTP${status}`;
  const message = `the endpoint answered ${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return {
      outcome: "retryable",
      code,
      message,
      // 429, and a 503 that says when to come back, ask us to slow down; a bare 503 is an outage.
      ...(status === 429 || (status === 503 && retryAfterMs !== undefined) ? { throttled: true } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (status === 410)
    return {
      outcome: "permanent",
      code,
      message: `${message} (Gone): pausing the stream`,
      pauseStream: true,
    };
  if (status >= 300 && status < 400)
    return {
      outcome: "permanent",
      code,
      message: `${message}: redirects are not followed, set the final URL`,
    };
  return { outcome: "permanent", code, message };
}

/** Retry-After: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A request that got no status: refused by policy (permanent), or timeouts and network errors. */
export function classifyError(error: unknown): DeliveryResult {
  const refused = findRefusal(error);
  if (refused)
    return { outcome: "permanent", code: refused.code, message: `endpoint refused: ${refused.message}` };
  const e = error as { code?: string; name?: string; message?: string };
  const code = e?.code ?? e?.name ?? "Error";
  if (code === "UND_ERR_CONNECT_TIMEOUT" || e?.name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT")
    return {
      outcome: "retryable",
      code: "Timeout",
      message: `the endpoint did not answer in time (${code})`,
    };
  // The socket's own text names addresses (what the endpoint's name resolved to, inside our
  // network): the customer gets the kind of failure, never those.
  return {
    outcome: "retryable",
    code,
    message: `could not reach the endpoint: ${NETWORK_WORDS[code] ?? "network error"}`,
  };
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed while sending",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed (temporary)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the endpoint",
  UND_ERR_BODY_TIMEOUT: "the response body did not arrive in time",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "the response was cut short",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "its TLS certificate chain is self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate cannot be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate is for another name",
};

/** undici may wrap the lookup's error; look through `cause`. */
function findRefusal(error: unknown): EndpointRefusedError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof EndpointRefusedError) return e;
  }
  return undefined;
}
