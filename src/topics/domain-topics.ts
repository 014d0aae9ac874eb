import { DOMAINS, type Domain } from "../events/domain-event";

/**
 * The one place that knows how domain topics and their registry subjects are named. Producers,
 * the connector and the CLI all import it, so a prefix (one cluster shared by several
 * environments: `staging`, `prod`) applies everywhere alike. The prefix itself is a setting
 * (src/settings/endpoints.ts), passed in by whoever read it.
 */

/** `identities.events`, or `<prefix>.identities.events` with a prefix. */
export function domainTopic(domain: Domain, prefix: string): string {
  return prefix ? `${prefix}.${domain}.events` : `${domain}.events`;
}

/** The domain a topic carries, or undefined when it is not a domain topic under this prefix. */
export function domainOfTopic(topic: string, prefix: string): Domain | undefined {
  return DOMAINS.find((domain) => domainTopic(domain, prefix) === topic);
}

export function domainTopics(prefix: string): string[] {
  return DOMAINS.map((domain) => domainTopic(domain, prefix));
}

/** Confluent TopicNameStrategy: the value schema of topic T lives under subject `T-value`. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}
