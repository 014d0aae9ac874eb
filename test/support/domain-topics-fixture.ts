import type { Consumer, KafkaMessage } from "kafkajs";
import { RegistryAdmin } from "../../src/schemas/registry-admin";
import { registerDomainSchemas } from "../../src/schemas/schema-sync";
import { DEFAULT_TOPIC_SETTINGS, ensureDomainTopics } from "../../src/topics/create-topics";
import { domainTopics } from "../../src/topics/domain-topics";
import { testKafka } from "../../support/clients";
import { stackFromEnv } from "../../support/stack-env";
import { uniqueName } from "../../support/unique";

/** A fresh topic prefix with its three domain topics created and schemas registered. */
export async function freshDomainTopics(partitions = 3): Promise<string> {
  const prefix = uniqueName("sdk");
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await ensureDomainTopics(admin, { ...DEFAULT_TOPIC_SETTINGS, prefix, partitions });
  } finally {
    await admin.disconnect();
  }
  await registerDomainSchemas(new RegistryAdmin(stackFromEnv().schemaRegistryUrl), { prefix });
  return prefix;
}

export interface RawRecord {
  topic: string;
  partition: number;
  key: string;
  value: Buffer;
  message: KafkaMessage;
}

/** Reads the prefix's domain topics from the beginning into `records` (raw bytes, no decoding). */
export async function consumeRaw(
  prefix: string,
  records: RawRecord[],
  kafka = testKafka(),
): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: uniqueName("sdk-test"), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: domainTopics(prefix), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      records.push({ topic, partition, key: String(message.key), value: message.value as Buffer, message });
    },
  });
  return consumer;
}
