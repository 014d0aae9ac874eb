/**
 * Run by fast-properties.test.ts as `node --allow-natives-syntax --import tsx`: prints, as JSON,
 * whether the configs of SDK clients are in V8's fast mode, as the SDK leaves them and as
 * AssumedRoleClients hands them out.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { STSClient } from "@aws-sdk/client-sts";
import { AssumedRoleClients, type RoleTarget } from "../assumed-role-clients";

const hasFastProperties = new Function("o", "return %HasFastProperties(o)") as (o: object) => boolean;
/** Clients are made once their role is assumed: an STS that grants every role at once. */
const grantingSts = {
  send: async () => ({
    Credentials: {
      AccessKeyId: "a",
      SecretAccessKey: "b",
      SessionToken: "c",
      Expiration: new Date(Date.now() + 3_600_000),
    },
  }),
} as unknown as STSClient;
const target = (i: number): RoleTarget => ({
  streamId: `es_${i}`,
  projectId: `project-${i}`,
  roleArn: `arn:aws:iam::123456789012:role/r${i}`,
  region: "eu-west-1",
});

const sns = new AssumedRoleClients((settings) => new SNSClient(settings), grantingSts);
const sqs = new AssumedRoleClients((settings) => new SQSClient(settings), grantingSts);
async function main(): Promise<void> {
  const handedOut = [
    ...(await Promise.all(Array.from({ length: 50 }, (_, i) => sns.client(target(i))))),
    ...(await Promise.all(Array.from({ length: 50 }, (_, i) => sqs.client(target(i))))),
  ];
  const asMade = new SNSClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
  });
  process.stdout.write(
    `${JSON.stringify({
      asMade: hasFastProperties(asMade.config),
      handedOut: handedOut.map((client) => hasFastProperties(client.config)),
    })}\n`,
  );
  sns.close();
  sqs.close();
}

void main();
