import * as customer from "../../apps/demo/customer-aws";
import { uniqueName } from "../../support/unique";

export type { TopicWithQueue } from "../../apps/demo/customer-aws";
export { subscribeQueue } from "../../apps/demo/customer-aws";

/** The customer's AWS set-up (apps/demo/customer-aws.ts) under names unique to one test. */
export const createTopicWithQueue = (options: { fifo?: boolean } = {}) =>
  customer.createTopicWithQueue(uniqueName("events"), options);
export const createTopic = (options: { fifo?: boolean } = {}) =>
  customer.createTopic(uniqueName("events"), options);
export const createQueue = (options: { fifo?: boolean } = {}) =>
  customer.createQueue(uniqueName("events"), options);
export const createPublisherRole = (projectId: string, topicArn: string) =>
  customer.createPublisherRole(uniqueName("event-streamer"), projectId, topicArn);
