import { defaultTopicPrefix } from "./domain-topics";

/**
 * Topics the product itself owns, beside the domain topics: stream configuration (compacted), the
 * retry path and the dead-letter topic. The same prefix as the domain topics applies.
 */
export interface SystemTopics {
  config: string;
  retry: string;
  deadLetter: string;
}

export function systemTopics(prefix: string = defaultTopicPrefix()): SystemTopics {
  const name = (base: string) => (prefix ? `${prefix}.${base}` : base);
  return {
    config: name("eventstreams.config"),
    retry: name("eventstreams.retry"),
    deadLetter: name("eventstreams.dlq"),
  };
}
