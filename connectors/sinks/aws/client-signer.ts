import { SignatureV4 } from "@smithy/signature-v4";
import type {
  AwsCredentialIdentity,
  ChecksumConstructor,
  HashConstructor,
  RequestSigner,
} from "@smithy/types";

/**
 * One SigV4 signer per SDK client, kept for the client's life, remembering its signing key.
 *
 * The SDK's default `signer` builds a new SignatureV4 on every call (copying the whole client
 * config), and SignatureV4 keeps derived signing keys in one process-wide cache of 50 entries: with
 * a client per project, hundreds of credential sets take turns, so nearly every call pays five
 * HMACs to derive a key again (bench/e2e/sns-client-cost.ts). This signer is still the SDK's
 * SignatureV4, signing exactly as before; it only keeps the last key it derived, for as long as the
 * credentials object, day, region and service are the same.
 */
export function reusedSigner(
  credentials: () => Promise<AwsCredentialIdentity>,
  region: string,
  /** The client's resolved config, read when the first call is signed. */
  config: () => SignerConfig,
): (authScheme?: { signingName?: string; signingRegion?: string }) => Promise<RequestSigner> {
  let signer: KeyCachingSignatureV4 | undefined;
  return async (authScheme) => {
    if (!signer) {
      const { sha256, signingName, signingRegion, defaultSigningName, serviceId } = config();
      // The same choice of signing service and region as the SDK's default signer.
      signer = new KeyCachingSignatureV4({
        credentials,
        region: signingRegion || authScheme?.signingRegion || region,
        service: signingName || authScheme?.signingName || defaultSigningName || serviceId,
        sha256,
        uriEscapePath: true,
      });
    }
    return signer;
  };
}

/** What the signer takes from an SDK client's resolved config. */
export interface SignerConfig {
  sha256: ChecksumConstructor | HashConstructor;
  signingName?: string;
  signingRegion?: string;
  defaultSigningName?: string;
  serviceId: string;
}

interface SigningKey {
  credentials: AwsCredentialIdentity;
  region: string;
  shortDate: string;
  service: string | undefined;
  key: Promise<Uint8Array>;
}

type GetSigningKey = (
  credentials: AwsCredentialIdentity,
  region: string,
  shortDate: string,
  service?: string,
) => Promise<Uint8Array>;

class KeyCachingSignatureV4 extends SignatureV4 {
  private last: SigningKey | undefined;

  constructor(init: ConstructorParameters<typeof SignatureV4>[0]) {
    super(init);
    // SignatureV4 declares getSigningKey private; it is what signRequest and signString call.
    const derive = (this as unknown as { getSigningKey: GetSigningKey }).getSigningKey.bind(this);
    (this as unknown as { getSigningKey: GetSigningKey }).getSigningKey = (
      credentials,
      region,
      shortDate,
      service,
    ) => {
      const last = this.last;
      if (
        last &&
        last.credentials === credentials &&
        last.shortDate === shortDate &&
        last.region === region &&
        last.service === service
      )
        return last.key;
      const key = derive(credentials, region, shortDate, service);
      this.last = { credentials, region, shortDate, service, key };
      key.catch(() => {
        if (this.last?.key === key) this.last = undefined;
      });
      return key;
    };
  }
}
