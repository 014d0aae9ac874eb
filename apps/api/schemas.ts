import { MAX_RATE_LIMIT } from "../../src/streams/event-stream";
import { invalid } from "./api-error";

/**
 * Request schemas. Destination settings (topic_arn, role_arn, https_endpoint...) are top-level
 * fields whose names depend on the stream type, so the body schema admits any snake_case field and
 * the sink's own schema (SinkRegistry.validateConfig) rejects those it does not know.
 */
const UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

const streamFields = {
  type: { type: "string", minLength: 1, maxLength: 64 },
  status: { type: "string", enum: ["active", "paused"] },
  event_types: {
    type: "array",
    maxItems: 200,
    uniqueItems: true,
    items: { type: "string", minLength: 1, maxLength: 128 },
    errorMessage: { uniqueItems: "must not list an event type twice" },
  },
  rate_limit: {
    type: ["integer", "null"],
    minimum: 1,
    maximum: MAX_RATE_LIMIT,
    description: "events a second the destination gets at most; null for no limit",
    errorMessage: `must be a whole number of events a second from 1 to ${MAX_RATE_LIMIT}, or null for no limit`,
  },
};

const bodyBase = {
  type: "object",
  propertyNames: { pattern: "^[a-z][a-z0-9_]{0,63}$" },
  maxProperties: 32,
  properties: streamFields,
};

export const createBody = { ...bodyBase, required: ["type"] };

export const patchBody = {
  ...bodyBase,
  minProperties: 1,
  errorMessage: { minProperties: "must set at least one field" },
};

export const projectParams = {
  type: "object",
  required: ["projectId"],
  properties: { projectId: { type: "string", pattern: UUID, errorMessage: "must be a UUID" } },
};

export const streamParams = {
  type: "object",
  required: ["projectId", "id"],
  properties: {
    ...projectParams.properties,
    id: { type: "string", minLength: 1, maxLength: 128 },
  },
};

export const verifyQuery = {
  type: "object",
  additionalProperties: false,
  properties: { verify: { type: "string", enum: ["true", "false"] } },
};

export const noQuery = { type: "object", additionalProperties: false, properties: {} };

/** The old secret keeps signing this long after a rotation unless the caller says otherwise. */
export const DEFAULT_GRACE_SECONDS = 24 * 3600;

export const rotateBody = {
  type: ["object", "null"],
  additionalProperties: false,
  properties: {
    grace_period_seconds: {
      type: "integer",
      minimum: 0,
      maximum: 7 * 24 * 3600,
      errorMessage: "must be a whole number of seconds from 0 to 604800 (7 days)",
    },
  },
};

/**
 * A page size in a query string. Query values are strings and the API coerces nothing, so the
 * schema takes digits and `queryLimit` reads them (an `integer` schema refused every `?limit=`).
 */
export const limitQuery = {
  type: "string",
  maxLength: 6,
  pattern: "^[0-9]{1,6}$",
  errorMessage: "must be a whole number",
};

export function queryLimit(text: string | undefined, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  const limit = Number(text);
  if (limit < 1 || limit > max) throw invalid("limit", `must be a whole number from 1 to ${max}`);
  return limit;
}
