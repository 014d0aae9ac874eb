import { DOMAINS, type Domain } from "../events/domain-event";

/**
 * The one place that knows how domain topics and their registry subjects are named. Producers,
 * the connector and the CLI all import it, so a prefix (one cluster shared by several
 * environments: `staging`, `prod`) applies everywhere alike.
 */
export const TOPIC_PREFIX_ENV = "EVENTSTREAMS_TOPIC_PREFIX";

/** `identities.events`, or `<prefix>.identities.events` with a prefix. */
export function domainTopic(domain: Domain, prefix: string = defaultTopicPrefix()): string {
  return prefix ? `${prefix}.${domain}.events` : `${domain}.events`;
}

/** The domain a topic carries, or undefined when it is not a domain topic under this prefix. */
export function domainOfTopic(topic: string, prefix: string = defaultTopicPrefix()): Domain | undefined {
  return DOMAINS.find((domain) => domainTopic(domain, prefix) === topic);
}

export function domainTopics(prefix: string = defaultTopicPrefix()): string[] {
  return DOMAINS.map((domain) => domainTopic(domain, prefix));
}

/** Confluent TopicNameStrategy: the value schema of topic T lives under subject `T-value`. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

export function defaultTopicPrefix(env: NodeJS.ProcessEnv = process.env): string {
  return env[TOPIC_PREFIX_ENV] ?? "";
}
