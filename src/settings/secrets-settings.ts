import { envValue, SettingError } from "./parse";

/** The KMS key stream secrets are sealed under, unless EVENTSTREAMS_KMS_KEY_ID names another. */
export const DEFAULT_KMS_KEY_ALIAS = "alias/eventstreams-secrets";

const KEY_ID =
  /^(alias\/[A-Za-z0-9/_-]{1,250}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]{1,250}|[0-9a-f-]{36}|mrk-[0-9a-f]{32})$/;

/** EVENTSTREAMS_KMS_KEY_ID: an alias (`alias/...`), a key or alias ARN, or a key id. */
export function kmsKeyIdSetting(env: NodeJS.ProcessEnv): string {
  const value = envValue(env, "EVENTSTREAMS_KMS_KEY_ID") ?? DEFAULT_KMS_KEY_ALIAS;
  if (!KEY_ID.test(value)) {
    throw new SettingError(
      `EVENTSTREAMS_KMS_KEY_ID "${value}" is not a KMS key: give an alias (alias/eventstreams-secrets), a key or alias ARN, or a key id`,
    );
  }
  return value;
}
