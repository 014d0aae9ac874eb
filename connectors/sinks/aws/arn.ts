/**
 * `arn:aws:iam::<12-digit account>:role/<optional/path/>name`. A path segment cannot hold a `/`,
 * so every string splits into segments one way only and the pattern runs in linear time (a
 * segment class that included `/` backtracked exponentially on `role/a/a/a/.../!`).
 */
export const ROLE_ARN_PATTERN =
  "^arn:aws:iam::\\d{12}:role/(?:[\\x21-\\x2E\\x30-\\x7E]+/)*[\\w+=,.@-]{1,64}$";

/** IAM's own limits: `arn:aws:iam::<account>:role` (30), a path of up to 512, a name of up to 64. */
export const ROLE_ARN_MAX_LENGTH = 30 + 512 + 64;

/** The schema of `roleArn`, the same for every AWS sink. */
export const roleArnProperty = {
  type: "string",
  maxLength: ROLE_ARN_MAX_LENGTH,
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
