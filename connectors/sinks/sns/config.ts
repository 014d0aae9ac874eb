import { roleArnProperty } from "../aws/arn";
import type { JsonSchema } from "../sink";
import { TOPIC_ARN_MAX_LENGTH, TOPIC_ARN_PATTERN } from "./arn";

export interface SnsConfig {
  /** The customer's topic; its region is where we publish. */
  topicArn: string;
  /** The role we assume, with the project id as ExternalId, to publish to the topic. */
  roleArn: string;
}

export const snsConfigSchema: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["topicArn", "roleArn"],
  properties: {
    topicArn: {
      type: "string",
      maxLength: TOPIC_ARN_MAX_LENGTH,
      pattern: TOPIC_ARN_PATTERN,
      errorMessage: "must be an SNS topic ARN: arn:aws:sns:<region>:<12-digit account>:<topic name>",
    },
    roleArn: roleArnProperty,
  },
};
