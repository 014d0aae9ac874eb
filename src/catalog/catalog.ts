import { DOMAINS, type Domain } from "../events/domain-event";
import { CATALOG, type EventName } from "./events";

export interface CatalogEntry {
  name: string;
  domain: Domain;
  description: string;
}

/** The catalog as a flat list, in domain order then declaration order. */
export const CATALOG_ENTRIES: readonly CatalogEntry[] = DOMAINS.flatMap((domain) =>
  Object.entries(CATALOG[domain]).map(([name, description]) => ({ name, domain, description })),
);

const byName = new Map(CATALOG_ENTRIES.map((entry) => [entry.name, entry]));

export function catalogEntry(name: string): CatalogEntry | undefined {
  return byName.get(name);
}

export function isEventName(name: string): name is EventName {
  return byName.has(name);
}

export function eventNames<D extends Domain>(domain: D): EventName<D>[] {
  return Object.keys(CATALOG[domain]) as EventName<D>[];
}

export function isDomain(value: string): value is Domain {
  return (DOMAINS as readonly string[]).includes(value);
}
