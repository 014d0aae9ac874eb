/**
 * The package root: what data teams build sinks with, and what product services publish with.
 * The conformance suite, which needs jest, is in `./testing`.
 */

export { createSinkRegistry } from "../../connectors/sinks";
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  WebhookVerificationError,
} from "../../connectors/sinks/https/signature";
export {
  type BatchLimits,
  type DeliveryResult,
  defineSink,
  delivered,
  type JsonSchema,
  type Sink,
  type SinkContext,
  type SinkDefinition,
  type SinkSecrets,
  type SinkTarget,
  type VerifyResult,
} from "../../connectors/sinks/sink";
export { type ConfigError, SinkRegistry } from "../../connectors/sinks/sink-registry";
export { createEventPublisher, type EventPublisher, type EventPublisherOptions } from "../../producers";
export type { DeliveredEvent, DomainEvent } from "../../src/events/domain-event";
export { toDeliveredEvent } from "../../src/events/domain-event";
