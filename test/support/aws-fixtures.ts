import * as customer from "../../src/demo/customer-aws";
import { uniqueName } from "./unique";

export type { TopicWithQueue } from "../../src/demo/customer-aws";
export { subscribeQueue } from "../../src/demo/customer-aws";

/** The customer's AWS set-up (src/demo/customer-aws.ts) under names unique to one test. */
export const createTopicWithQueue = (options: { fifo?: boolean } = {}) =>
  customer.createTopicWithQueue(uniqueName("events"), options);
export const createTopic = (options: { fifo?: boolean } = {}) =>
  customer.createTopic(uniqueName("events"), options);
export const createQueue = (options: { fifo?: boolean } = {}) =>
  customer.createQueue(uniqueName("events"), options);
export const createPublisherRole = (projectId: string, topicArn: string) =>
  customer.createPublisherRole(uniqueName("event-streamer"), projectId, topicArn);
