import { CreateAliasCommand, CreateKeyCommand, KMSClient, ListAliasesCommand } from "@aws-sdk/client-kms";
import { DEFAULT_KMS_KEY_ALIAS, kmsKeyIdSetting } from "../../src/settings/secrets-settings";
import { clientEnvironment, type StackEndpoints } from "../../src/settings/stack-settings";

/**
 * Creates the KMS key that stream secrets are sealed under in the local emulator, with its alias,
 * if it is missing (the emulator forgets its keys when it stops). Returns the alias.
 */
export async function ensureSecretsKey(
  endpoints: StackEndpoints,
  progress: (line: string) => void = () => undefined,
): Promise<string> {
  const configured = kmsKeyIdSetting(process.env);
  const alias = configured.startsWith("alias/") ? configured : DEFAULT_KMS_KEY_ALIAS;
  const env = clientEnvironment(endpoints);
  const kms = new KMSClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
  });
  try {
    const { Aliases = [] } = await kms.send(new ListAliasesCommand({ Limit: 100 }));
    const existing = Aliases.find((a) => a.AliasName === alias);
    if (existing) {
      progress(`aws: KMS key ${alias} ready (${existing.TargetKeyId})`);
      return alias;
    }
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Description: "event streams: seals stream secrets (local emulator)" }),
    );
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata?.KeyId }));
    progress(`aws: KMS key ${alias} created (${KeyMetadata?.KeyId})`);
    return alias;
  } finally {
    kms.destroy();
  }
}
