import { IAMClient } from "@aws-sdk/client-iam";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { Kafka, logLevel } from "kafkajs";
import { stackFromEnv } from "./stack-env";

export function testKafka(clientId = "eventstreams-test", brokers = stackFromEnv().kafkaBrokers): Kafka {
  return new Kafka({ clientId, brokers: [brokers], logLevel: logLevel.WARN });
}

/** AWS clients configured only through the standard environment (AWS_ENDPOINT_URL and friends). */
export const aws = {
  sns: () => new SNSClient({}),
  sqs: () => new SQSClient({}),
  sts: () => new STSClient({}),
  iam: () => new IAMClient({}),
};
