import type { EventName } from "../src/catalog/events";
import type { Domain } from "../src/events/domain-event";

/** Optional envelope fields a caller may set; the publisher fills the rest. */
export interface EventExtras {
  /** UUID; generated when absent. */
  id?: string;
  /** Generated (now) when absent. */
  timestamp?: Date;
  /** Defaults to "1". */
  version?: string;
  /** Defaults to the publisher's `source`. */
  source?: string | null;
  /** W3C traceparent of the request that caused the event. */
  traceparent?: string | null;
}

interface InputOf<D extends Domain> extends EventExtras {
  /** Optional: the catalog knows each name's domain; when given it must match. */
  domain?: D;
  name: EventName<D>;
  projectId: string;
  eventAttributes?: Record<string, string>;
}

/** What publish() takes: a name of the catalog, with its own domain (checked by the compiler). */
export type EventInput = { [D in Domain]: InputOf<D> }[Domain];
