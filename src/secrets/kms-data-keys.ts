import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { LRUCache } from "lru-cache";
import type { DataKeys, SecretOwner } from "./envelope";

/** Decrypted data keys kept, and for how long: a delivery opens its stream's secrets from memory. */
const MAX_CACHED_KEYS = 10_000;
const CACHED_KEY_TTL_MS = 15 * 60_000;

/** The encryption context KMS binds a data key to: the stream it belongs to. */
const contextOf = (owner: SecretOwner) => ({ projectId: owner.projectId, streamId: owner.streamId });

/**
 * Data keys from AWS KMS, reached through the standard AWS settings (region, credentials,
 * `AWS_ENDPOINT_URL`) like every other AWS call: GenerateDataKey under `keyId` (an alias or ARN),
 * Decrypt with the stream as encryption context. Decrypted keys are cached (bounded, with a TTL).
 */
export class KmsDataKeys implements DataKeys {
  private readonly decrypted = new LRUCache<string, Buffer>({ max: MAX_CACHED_KEYS, ttl: CACHED_KEY_TTL_MS });

  constructor(
    private readonly keyId: string,
    private readonly kms: KMSClient = new KMSClient({}),
  ) {}

  async generate(owner: SecretOwner, keyId = this.keyId) {
    const answer = await this.kms.send(
      new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: contextOf(owner) }),
    );
    if (!answer.Plaintext || !answer.CiphertextBlob || !answer.KeyId)
      throw new Error(`KMS answered GenerateDataKey for ${keyId} without a key`);
    return {
      plaintext: Buffer.from(answer.Plaintext),
      encrypted: Buffer.from(answer.CiphertextBlob),
      keyId: answer.KeyId,
    };
  }

  async decrypt(owner: SecretOwner, encrypted: Buffer, keyId: string): Promise<Buffer> {
    const cacheKey = `${owner.projectId}\n${owner.streamId}\n${keyId}\n${encrypted.toString("base64")}`;
    const cached = this.decrypted.get(cacheKey);
    if (cached) return cached;
    const answer = await this.kms.send(
      new DecryptCommand({ CiphertextBlob: encrypted, KeyId: keyId, EncryptionContext: contextOf(owner) }),
    );
    if (!answer.Plaintext) throw new Error(`KMS answered Decrypt under ${keyId} without a key`);
    const plaintext = Buffer.from(answer.Plaintext);
    this.decrypted.set(cacheKey, plaintext);
    return plaintext;
  }
}
