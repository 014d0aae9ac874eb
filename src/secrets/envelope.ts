import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Envelope encryption of a stream's secret settings: AES-256-GCM under a data key that KMS made
 * (GenerateDataKey) and that is stored beside the ciphertext, encrypted under the KMS key. The
 * stream's project and id, and the setting's path, are the authenticated data: a sealed value
 * copied into another stream, another project or another setting does not open.
 */
export interface SealedSecret {
  $sealed: {
    v: 1;
    /** The KMS key that encrypted the data key (its ARN, as KMS answered). */
    key: string;
    /** The data key, encrypted by KMS (base64). */
    dataKey: string;
    iv: string;
    data: string;
    tag: string;
  };
}

/** Where a sealed value belongs: what it is bound to. */
export interface SecretOwner {
  projectId: string;
  streamId: string;
}

/** Data keys from a key service (KMS), bound to their owner (its encryption context). */
export interface DataKeys {
  /** A fresh data key under the current (or the given) key. */
  generate(
    owner: SecretOwner,
    keyId?: string,
  ): Promise<{ plaintext: Buffer; encrypted: Buffer; keyId: string }>;
  /** The plaintext of an encrypted data key; rejects when it is not this owner's. */
  decrypt(owner: SecretOwner, encrypted: Buffer, keyId: string): Promise<Buffer>;
}

export class SecretOpenError extends Error {
  constructor(
    readonly streamId: string,
    readonly path: string,
    reason: string,
  ) {
    super(`the secret ${path} of stream ${streamId} does not decrypt: ${reason}`);
    this.name = "SecretOpenError";
  }
}

export function isSealed(value: unknown): value is SealedSecret {
  const sealed = (value as Partial<SealedSecret> | null)?.$sealed;
  return (
    typeof sealed === "object" &&
    sealed !== null &&
    sealed.v === 1 &&
    ["key", "dataKey", "iv", "data", "tag"].every(
      (field) => typeof (sealed as unknown as Record<string, unknown>)[field] === "string",
    )
  );
}

const aad = (owner: SecretOwner) => Buffer.from(`eventstreams/v1\n${owner.projectId}\n${owner.streamId}`);

export function sealWith(
  dataKey: { plaintext: Buffer; encrypted: Buffer; keyId: string },
  owner: SecretOwner,
  value: string,
): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dataKey.plaintext, iv);
  cipher.setAAD(aad(owner));
  const data = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return {
    $sealed: {
      v: 1,
      key: dataKey.keyId,
      dataKey: dataKey.encrypted.toString("base64"),
      iv: iv.toString("base64"),
      data: data.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
    },
  };
}

/** Throws SecretOpenError when the value was sealed for another owner or path, or was altered. */
export function openWith(
  plaintextKey: Buffer,
  owner: SecretOwner,
  path: string,
  sealed: SealedSecret,
): string {
  const { iv, data, tag } = sealed.$sealed;
  try {
    const decipher = createDecipheriv("aes-256-gcm", plaintextKey, Buffer.from(iv, "base64"));
    decipher.setAAD(aad(owner));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretOpenError(
      owner.streamId,
      path,
      "it was sealed for another stream or setting, or altered",
    );
  }
}
