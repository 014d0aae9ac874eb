import { defineSink, type JsonSchema, type SinkDefinition } from "../../sink";
import { roleArnProperty } from "../arn";
import { MAX_SOCKETS, type SdkClient } from "../assumed-role-clients";
import { awsTransportSetting } from "../lean/transport-setting";
import type { AwsBatchService } from "./aws-batch-service";
import { AwsBatchSink, type AwsSinkConfig } from "./aws-batch-sink";

export interface AwsSinkDeclaration<Config extends AwsSinkConfig, Entry, Output, Client extends SdkClient> {
  type: string;
  description: string;
  service: AwsBatchService<Config, Entry, Output, Client>;
  /** The setting naming the customer's resource (`topicArn`...) and its schema; `roleArn` is added. */
  resource: { field: keyof Config & string; schema: JsonSchema };
  validate?: SinkDefinition<Config>["validate"];
}

/**
 * An AWS sink: the resource's setting and the role every AWS sink assumes, the service's limits,
 * request slots of MAX_SOCKETS calls per thread, and the transport EVENTSTREAMS_AWS_TRANSPORT names.
 */
export function defineAwsSink<Config extends AwsSinkConfig, Entry, Output, Client extends SdkClient>(
  declaration: AwsSinkDeclaration<Config, Entry, Output, Client>,
): SinkDefinition<Config> {
  const { type, description, service, resource, validate } = declaration;
  return defineSink<Config>({
    type,
    description,
    configSchema: {
      type: "object",
      additionalProperties: false,
      required: [resource.field, "roleArn"],
      properties: { [resource.field]: resource.schema, roleArn: roleArnProperty },
    },
    ...(validate ? { validate } : {}),
    limits: { maxEvents: service.limits.maxEntries, concurrency: MAX_SOCKETS },
    ...(service.ordered ? { ordered: service.ordered } : {}),
    create: (context) =>
      new AwsBatchSink(service, { transport: awsTransportSetting(context.env), env: context.env }),
  });
}
