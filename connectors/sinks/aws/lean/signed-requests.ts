import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity } from "@smithy/types";
import { LRUCache } from "lru-cache";
import { Pool } from "undici";

export interface SignedRequest {
  /** Names the credentials (the role and project): one signer, with its signing-key cache, each. */
  signerKey: string;
  service: string;
  region: string;
  endpoint: URL;
  credentials: () => Promise<AwsCredentialIdentity>;
  headers: Record<string, string>;
  body: string;
}

export interface AwsAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Keep-alive connections per endpoint; regions a tenant names are bounded as the SDK's clients are. */
const MAX_POOLS = 64;
const CONNECTIONS_PER_POOL = 64;
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * The largest answer read: a batch call's answer is a few KB (500 Kinesis records, about 60 KB).
 * An endpoint that sends more is cut off and the call fails, never buffered without bound.
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;
/** As many as the assumed-role credentials kept (MAX_CACHED_ROLES). */
const MAX_SIGNERS = 10_000;

/**
 * The lean request path of the AWS delivery calls: the request signed with the SDK's own
 * `@smithy/signature-v4` (never a signer of ours), sent over a keep-alive undici pool per
 * endpoint, its answer returned as text for the service's decoder. Everything else (STS,
 * verification, admin calls) stays on the SDK.
 */
export class SignedRequests {
  private readonly pools = new LRUCache<string, Pool>({
    max: MAX_POOLS,
    dispose: (pool) => void pool.close(),
  });
  private readonly signers = new LRUCache<string, SignatureV4>({ max: MAX_SIGNERS });

  async send(request: SignedRequest): Promise<AwsAnswer> {
    const { endpoint, body } = request;
    const signed = await this.signer(request).sign({
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname,
      query: {},
      headers: { ...request.headers, host: endpoint.host },
      body,
    });
    const response = await this.pool(endpoint).request({
      method: "POST",
      path: endpoint.pathname,
      headers: signed.headers,
      body,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers))
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    return { status: response.statusCode, headers, body: await boundedText(response.body, endpoint.origin) };
  }

  /** Forgets the signer of these credentials (their stream changed or was deleted). */
  forget(request: Pick<SignedRequest, "signerKey" | "service" | "region">): void {
    this.signers.delete(signerId(request));
  }

  /** Signers held now (one per role, project and region): bounded, and released with their stream. */
  get signerCount(): number {
    return this.signers.size;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((p) => p.close()));
  }

  private signer(request: SignedRequest): SignatureV4 {
    const key = signerId(request);
    let signer = this.signers.get(key);
    if (!signer) {
      signer = new SignatureV4({
        service: request.service,
        region: request.region,
        credentials: request.credentials,
        sha256: Hash.bind(null, "sha256"),
        applyChecksum: false,
      });
      this.signers.set(key, signer);
    }
    return signer;
  }

  private pool(endpoint: URL): Pool {
    let pool = this.pools.get(endpoint.origin);
    if (!pool) {
      pool = new Pool(endpoint.origin, { connections: CONNECTIONS_PER_POOL, pipelining: 1 });
      this.pools.set(endpoint.origin, pool);
    }
    return pool;
  }
}

const signerId = (request: Pick<SignedRequest, "signerKey" | "service" | "region">) =>
  `${request.service}\n${request.region}\n${request.signerKey}`;

/** The answer's body as text, at most MAX_ANSWER_BYTES of it; past that the body is dropped. */
async function boundedText(
  body: AsyncIterable<Buffer> & { destroy(): void },
  origin: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > MAX_ANSWER_BYTES) {
      body.destroy();
      throw new Error(`${origin} answered more than ${MAX_ANSWER_BYTES} bytes: not read`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
