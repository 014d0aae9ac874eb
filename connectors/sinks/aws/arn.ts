/** `arn:aws:iam::<12-digit account>:role/<optional/path/>name` */
export const ROLE_ARN_PATTERN = "^arn:aws:iam::\\d{12}:role/([\\x21-\\x7E]+/)*[\\w+=,.@-]{1,64}$";

/** The schema of `roleArn`, the same for every AWS sink. */
export const roleArnProperty = {
  type: "string",
  pattern: ROLE_ARN_PATTERN,
  errorMessage: "must be an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>",
};

/** The one ARN parser of the AWS sinks: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface ResourceArn {
  service: string;
  region: string;
  account: string;
  /** Everything after the account: `name`, `deliverystream/name`... */
  resource: string;
}

export function parseArn(arn: string): ResourceArn {
  const [prefix, , service, region, account, ...rest] = arn.split(":");
  const resource = rest.join(":");
  if (prefix !== "arn" || !service || !region || !account || !resource) throw new Error(`not an ARN: ${arn}`);
  return { service, region, account, resource };
}
