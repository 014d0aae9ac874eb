import { eventBridgeSink } from "./eventbridge";
import { firehoseSink } from "./firehose";
import { httpsSink } from "./https";
import { kinesisSink } from "./kinesis";
import { SinkRegistry } from "./sink-registry";
import { snsSink } from "./sns";
import { sqsSink } from "./sqs";

export * from "./sink";
export { type ConfigError, SinkRegistry } from "./sink-registry";

/**
 * The sinks this product ships, registered exactly as a data team registers its own:
 * `createSinkRegistry().register(mySink)`.
 */
export function createSinkRegistry(): SinkRegistry {
  return new SinkRegistry()
    .register(snsSink)
    .register(httpsSink)
    .register(sqsSink)
    .register(firehoseSink)
    .register(eventBridgeSink)
    .register(kinesisSink);
}
