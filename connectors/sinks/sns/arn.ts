import { parseArn } from "../aws/arn";

/** `arn:aws:sns:<region>:<12-digit account>:<name>`; a name ending in `.fifo` is a FIFO topic. */
export const TOPIC_ARN_PATTERN =
  "^arn:aws:sns:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$";

/** `arn:aws:sns:` (12), a region (32 at most), the account (12), a name of 256 and `.fifo`, with colons. */
export const TOPIC_ARN_MAX_LENGTH = 12 + 32 + 1 + 12 + 1 + 256 + 5;

export interface TopicArn {
  region: string;
  account: string;
  name: string;
  fifo: boolean;
}

export function parseTopicArn(arn: string): TopicArn {
  const { service, region, account, resource: name } = parseArn(arn);
  if (service !== "sns") throw new Error(`not an SNS topic ARN: ${arn}`);
  return { region, account, name, fifo: name.endsWith(".fifo") };
}
