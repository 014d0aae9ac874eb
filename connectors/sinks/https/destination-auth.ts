import type { JsonSchema } from "../sink";

/**
 * How an HTTPS destination authenticates us, besides the signature: one of a bearer token, basic
 * credentials or an API key in a header of the customer's choosing, and up to MAX_HEADERS static
 * headers. The secret values (token, password, key value) are sealed at rest, masked on reads
 * and never logged; the header values are not secret.
 */
export type DestinationAuth =
  | { type: "bearer"; token: string }
  | { type: "basic"; username: string; password: string }
  | { type: "api_key"; header: string; value: string };

export const MAX_HEADERS = 10;

/** The settings of an https stream that hold the customer's secrets (sealed, masked, redacted). */
export const AUTH_SECRET_FIELDS = ["auth.token", "auth.password", "auth.value"] as const;

/** RFC 9110 token characters; values printable ASCII (no CR or LF: no header injection). */
const HEADER_NAME = "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$";
const HEADER_VALUE = "^[\\x20-\\x7E]{0,1024}$";
const SECRET_VALUE = "^[\\x21-\\x7E]{1,4096}$";

/** Headers we set, or that only the HTTP layer may: a destination's settings cannot name them. */
const RESERVED = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "upgrade",
  "user-agent",
]);

const secretString = (what: string) => ({
  type: "string",
  maxLength: 4096,
  pattern: SECRET_VALUE,
  errorMessage: `must be the ${what}: 1 to 4096 visible ASCII characters`,
});

export const authSchema: JsonSchema = {
  type: "object",
  required: ["type"],
  properties: {
    type: { enum: ["bearer", "basic", "api_key"], errorMessage: "type must be bearer, basic or api_key" },
  },
  oneOf: [
    {
      additionalProperties: false,
      required: ["type", "token"],
      properties: { type: { const: "bearer" }, token: secretString("bearer token") },
    },
    {
      additionalProperties: false,
      required: ["type", "username", "password"],
      properties: {
        type: { const: "basic" },
        username: {
          type: "string",
          maxLength: 256,
          pattern: "^[\\x20-\\x39\\x3B-\\x7E]{1,256}$",
          errorMessage: "must be 1 to 256 visible ASCII characters without a colon",
        },
        password: secretString("password"),
      },
    },
    {
      additionalProperties: false,
      required: ["type", "header", "value"],
      properties: {
        type: { const: "api_key" },
        header: {
          type: "string",
          maxLength: 64,
          pattern: HEADER_NAME,
          errorMessage: "must be a header name",
        },
        value: secretString("API key"),
      },
    },
  ],
  errorMessage: {
    oneOf:
      'must be {"type":"bearer","token":...}, {"type":"basic","username":...,"password":...} or {"type":"api_key","header":...,"value":...}',
  },
};

export const headersSchema: JsonSchema = {
  type: "object",
  maxProperties: MAX_HEADERS,
  propertyNames: { pattern: HEADER_NAME },
  additionalProperties: {
    type: "string",
    maxLength: 1024,
    pattern: HEADER_VALUE,
    errorMessage: "must be at most 1024 printable ASCII characters",
  },
  errorMessage: {
    maxProperties: `may hold at most ${MAX_HEADERS} headers`,
    propertyNames: "names must be header names (letters, digits and !#$%&'*+.^_`|~-)",
  },
};

/** The header a destination's settings may not name, if any, and why. */
export function reservedHeader(
  auth: DestinationAuth | undefined,
  headers: Record<string, string> | undefined,
): { field: string; message: string } | undefined {
  const names = Object.keys(headers ?? {});
  if (auth?.type === "api_key") names.push(auth.header);
  for (const name of names) {
    const lower = name.toLowerCase();
    const field = auth?.type === "api_key" && name === auth.header ? "auth.header" : `headers.${name}`;
    if (RESERVED.has(lower) || lower.startsWith("webhook-"))
      return { field, message: `${name} is set by us (or by HTTP itself) and cannot be configured` };
    if (lower === "authorization" && auth && field !== "auth.header")
      return { field, message: "Authorization is set by auth: leave it out of headers" };
  }
  const lowered = names.map((n) => n.toLowerCase());
  const repeated = lowered.find((n, i) => lowered.indexOf(n) !== i);
  if (repeated) return { field: "headers", message: `${repeated} is given twice` };
  return undefined;
}

/** The headers a request to the destination carries for its authentication and settings. */
export function destinationHeaders(
  auth: DestinationAuth | undefined,
  headers: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  if (auth?.type === "bearer") out.authorization = `Bearer ${auth.token}`;
  else if (auth?.type === "basic")
    out.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  else if (auth?.type === "api_key") out[auth.header.toLowerCase()] = auth.value;
  return out;
}
