import { eventNames } from "../src/catalog/catalog";
import type { EventName } from "../src/catalog/events";
import { type HelperName, helperName } from "../src/catalog/helper-names";
import { DOMAINS, type Domain, type DomainEvent } from "../src/events/domain-event";
import type { EventExtras, EventInput } from "./event-input";

/** `(projectId, attributes?, extras?) => Promise<DomainEvent>` for one event name. */
export type EventHelper = (
  projectId: string,
  eventAttributes?: Record<string, string>,
  extras?: EventExtras,
) => Promise<DomainEvent>;

/** `publisher.identities.identityCreated(...)`: one method per catalog name, typed from the catalog. */
export type TypedHelpers = {
  [D in Domain]: { [N in EventName<D> as HelperName<N>]: EventHelper };
};

export function typedHelpers(publish: (event: EventInput) => Promise<DomainEvent>): TypedHelpers {
  const helpers = {} as Record<Domain, Record<string, EventHelper>>;
  for (const domain of DOMAINS) {
    const methods: Record<string, EventHelper> = {};
    for (const name of eventNames(domain)) {
      methods[helperName(name)] = (projectId, eventAttributes, extras) =>
        publish({ ...extras, domain, name, projectId, eventAttributes } as EventInput);
    }
    helpers[domain] = methods;
  }
  return helpers as unknown as TypedHelpers;
}
