import { CATALOG_ENTRIES, isEventName } from "../catalog/catalog";

/**
 * A stream's `eventTypes`: catalog names, and prefix patterns ending in `*` (`Session*`) that take
 * every name starting so, names added to the catalog later included. Empty takes every event.
 * Matching is a Set lookup and a `startsWith` per pattern: linear in the name, whatever a tenant
 * wrote (at most 200 entries of 128 characters, the API's limits).
 */
export interface EventFilter {
  matches(name: string): boolean;
}

const EVERYTHING: EventFilter = { matches: () => true };

/** A pattern's prefix: letters and digits, as catalog names are; undefined when not a pattern. */
function patternPrefix(entry: string): string | undefined {
  return /^[A-Za-z0-9]{1,127}\*$/.test(entry) ? entry.slice(0, -1) : undefined;
}

export function compileEventFilter(eventTypes: readonly string[]): EventFilter {
  if (eventTypes.length === 0) return EVERYTHING;
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of eventTypes) {
    const prefix = patternPrefix(entry);
    if (prefix === undefined) names.add(entry);
    else prefixes.push(prefix);
  }
  return { matches: (name) => names.has(name) || prefixes.some((p) => name.startsWith(p)) };
}

/** Why an entry cannot be part of a filter, or undefined when it can. */
export function eventTypeEntryProblem(entry: string): string | undefined {
  const prefix = patternPrefix(entry);
  if (prefix !== undefined) {
    return CATALOG_ENTRIES.some((e) => e.name.startsWith(prefix))
      ? undefined
      : `"${entry}" matches no event name of the catalog`;
  }
  if (entry.includes("*")) {
    return `"${entry}" is not a pattern: a pattern is letters and digits ending in one "*", e.g. "Session*"`;
  }
  return isEventName(entry) ? undefined : `"${entry}" is not an event name from the catalog`;
}

/** Filters by the `eventTypes` array they were compiled from: a stream's change brings a new array. */
const compiled = new WeakMap<readonly string[], EventFilter>();

/** The filter of a stream's `eventTypes`, compiled once per version of the stream. */
export function eventFilterOf(eventTypes: readonly string[]): EventFilter {
  let filter = compiled.get(eventTypes);
  if (!filter) {
    filter = compileEventFilter(eventTypes);
    compiled.set(eventTypes, filter);
  }
  return filter;
}
