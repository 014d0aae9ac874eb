import { randomUUID } from "node:crypto";
import { catalogEntry, isDomain } from "../src/catalog/catalog";
import { EventValidationError } from "../src/codec/errors";
import type { DomainEvent } from "../src/events/domain-event";
import type { EventInput } from "./event-input";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Throws the typed error; a plain function rather than a closure per call (this is the hot path). */
function fail(field: string, reason: string, index: number): never {
  throw new EventValidationError(field, reason, index);
}

/**
 * Checks one input against the catalog and the envelope's rules and returns the complete event.
 * Callers in plain JavaScript (or with `any`) get here too, so nothing is assumed from the types.
 */
export function toDomainEvent(input: EventInput, index: number, defaultSource: string | null): DomainEvent {
  if (typeof input !== "object" || input === null) fail("event", "is not an object", index);
  const raw = input as unknown as Record<string, unknown>;

  if (typeof raw.name !== "string") fail("name", "is missing or not a string", index);
  const name = raw.name as string;
  const entry = catalogEntry(name) ?? fail("name", `"${name}" is not in the event catalog`, index);
  if (raw.domain !== undefined) {
    if (typeof raw.domain !== "string" || !isDomain(raw.domain))
      fail("domain", `"${String(raw.domain)}" is not a domain`, index);
    if (raw.domain !== entry.domain)
      fail("name", `"${name}" belongs to ${entry.domain}, not ${String(raw.domain)}`, index);
  }
  const projectId = raw.projectId;
  if (typeof projectId !== "string" || !UUID.test(projectId))
    fail("projectId", `${show(projectId)} is not a UUID`, index);
  // Only a caller's id needs checking; ours comes from randomUUID.
  const id = raw.id ?? randomUUID();
  if (raw.id !== undefined && (typeof id !== "string" || !UUID.test(id)))
    fail("id", `${show(id)} is not a UUID`, index);
  const timestamp = raw.timestamp ?? new Date();
  if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime()))
    fail("timestamp", "is not a valid Date", index);
  const version = raw.version ?? "1";
  if (typeof version !== "string" || version === "") fail("version", "must be a non-empty string", index);

  return {
    id: id as string,
    name,
    domain: entry.domain,
    version: version as string,
    timestamp: timestamp as Date,
    // One spelling per project: an upper-case id is the same project, never a second one.
    projectId: (projectId as string).toLowerCase(),
    eventAttributes: attributes(raw.eventAttributes, index),
    source: optionalString(raw.source === undefined ? defaultSource : raw.source, "source", index),
    traceparent: traceparent(raw.traceparent, index),
  };
}

function attributes(value: unknown, index: number): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail("eventAttributes", "must be an object", index);
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (typeof record[key] !== "string")
      fail(`eventAttributes.${key}`, `must be a string, got ${typeof record[key]}`, index);
  }
  return value as Record<string, string>;
}

function optionalString(value: unknown, field: string, index: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") fail(field, "must be a string or null", index);
  return value as string;
}

function traceparent(value: unknown, index: number): string | null {
  const text = optionalString(value, "traceparent", index);
  if (text !== null && !TRACEPARENT.test(text))
    fail("traceparent", `${show(text)} is not a W3C traceparent`, index);
  return text;
}

function show(value: unknown): string {
  return typeof value === "string"
    ? `"${value.length > 60 ? `${value.slice(0, 60)}...` : value}"`
    : String(value);
}
