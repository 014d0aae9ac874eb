import { parentPort, threadId, workerData } from "node:worker_threads";
import type { DomainEvent } from "../../src/events/domain-event";
import { createLogger } from "../../src/logging";
import type { SinkModule } from "../../src/settings/connector-settings";
import { errorMessage } from "../../src/util/error-message";
import type { SinkContext } from "../sinks";
import { loadSinkRegistry } from "../sinks/sink-module";
import {
  type CallAnswer,
  type DeliveryRequest,
  Outbox,
  type ReleaseRequest,
  type ThreadReady,
} from "./delivery-messages";

/**
 * A delivery thread (see DeliveryThreads): loads the sinks, answers each request with the sink's
 * results, and closes the sinks when told to.
 */
const port = parentPort;
if (!port) throw new Error("connectors/delivery-thread runs as a worker thread of DeliveryThreads");
const answers = new Outbox<CallAnswer>((batch) => port.postMessage(batch));

const sinks = loadSinkRegistry((workerData as { sinks: SinkModule }).sinks);
const logger = createLogger("connector").child({ deliveryThread: threadId });
// A worker's environment is what DeliveryThreads gave it: the connector's settings for its sinks.
// biome-ignore lint/style/noProcessEnv: the thread's entry point, where its environment comes in
const context: SinkContext = { logger, env: process.env };

port.on("message", (message: DeliveryRequest[] | ReleaseRequest | "close") => {
  if (message === "close") {
    void sinks.close().finally(() => port.close());
    return;
  }
  if ("release" in message) {
    sinks.created(message.release.type)?.release?.(message.release.target);
    return;
  }
  message.forEach(call);
});
port.postMessage({ ready: true } satisfies ThreadReady);

function call({ id, type, target, events }: DeliveryRequest): void {
  // Through a promise, so an unknown type (thrown at once) is answered like any failed call.
  Promise.resolve()
    .then(() => sinks.sink(type, context).deliver(target, events as DomainEvent[]))
    .then(
      (results) => answers.add({ id, results }),
      (error: unknown) => answers.add({ id, error: errorMessage(error) }),
    );
}
