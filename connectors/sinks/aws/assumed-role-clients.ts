import { STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, RequestSigner } from "@smithy/types";
import { LRUCache } from "lru-cache";
import type { VerifyWarning } from "../sink";
import { parseArn } from "./arn";
import { AssumedRoleCredentials, MAX_CACHED_ROLES, sessionNameFor } from "./assumed-role-credentials";
import { reusedSigner, type SignerConfig } from "./client-signer";
import { withFastProperties } from "./fast-properties";
import { type AwsServiceName, endpointSetting } from "./lean/aws-endpoint";

/** Sockets per endpoint (one per region and service), and so calls in flight per endpoint. */
export const MAX_SOCKETS = 64;

export interface ClientSettings {
  region: string;
  credentials: () => Promise<AwsCredentialIdentity>;
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
  /**
   * Resolve a command's middleware stack once per command class, not on every call (~10% of a
   * call's CPU). We never change a client's or a command's middleware after the first call.
   */
  cacheMiddleware: true;
  /** One signer for the client's life instead of one per call (see client-signer.ts). */
  signer: (authScheme?: { signingName?: string; signingRegion?: string }) => Promise<RequestSigner>;
  /** The endpoint the environment names for the service (AWS_ENDPOINT_URL_<SERVICE>...), if any. */
  endpoint?: string;
}

/** What we read from a client once made: its config, for its signer. */
export interface SdkClient {
  destroy(): void;
  config: SignerConfig;
}

export interface RoleTarget {
  streamId: string;
  projectId: string;
  roleArn: string;
  region: string;
}

/** A stream's role, acting in the region of the resource it delivers to (topic, queue, stream). */
export function roleTargetOf(
  target: { streamId: string; projectId: string; config: { roleArn: string } },
  resourceArn: string,
): RoleTarget {
  const { streamId, projectId, config } = target;
  return { streamId, projectId, roleArn: config.roleArn, region: parseArn(resourceArn).region };
}

/**
 * AWS SDK clients acting as a customer's role (ExternalId = project id), one per region and role,
 * sharing one connection pool. Every AWS sink holds one of these.
 */
export class AssumedRoleClients<Client extends SdkClient> {
  // A hung destination must not hold a partition forever: time out and let the retry path take it.
  private readonly http = new NodeHttpHandler({
    httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
    httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    throwOnRequestTimeout: true,
  });
  readonly credentials: AssumedRoleCredentials;
  /**
   * One client per (region, role, project), bounded as the credentials are. A forgotten client is
   * only dropped, not destroyed: every client shares this one request handler, which destroy()
   * would close for all.
   */
  private readonly clients: LRUCache<string, Client>;

  /** `sts` is our own identity's client (standard provider chain); tests pass one they observe. */
  constructor(
    private readonly make: (settings: ClientSettings) => Client,
    sts?: STSClient,
    max = MAX_CACHED_ROLES,
    /** Reads the service's endpoint settings from `env`, as the lean transport does. */
    private readonly endpointOf?: { service: AwsServiceName; env: NodeJS.ProcessEnv },
  ) {
    this.credentials = new AssumedRoleCredentials(
      sts ?? new STSClient({ requestHandler: this.http }),
      Date.now,
      max,
    );
    this.clients = new LRUCache({ max });
  }

  /**
   * After the role was assumed with the project's ExternalId: a warning when it can be assumed
   * with any ExternalId too, with the trust policy condition that fixes it.
   */
  async trustPolicyWarning(target: {
    streamId: string;
    projectId: string;
    config: { roleArn: string };
  }): Promise<VerifyWarning | undefined> {
    const { streamId, projectId, config } = target;
    const roleArn = config.roleArn;
    if (
      (await this.credentials.acceptsAnyExternalId(this.roleKey({ streamId, projectId, roleArn }))) !== true
    )
      return undefined;
    return {
      code: "ExternalIdNotRequired",
      message: `the role ${roleArn} can be assumed without your project id as ExternalId: anyone who learns its ARN could have events delivered to it`,
      hint: `add to the trust policy statement that lets us assume it: "Condition": {"StringEquals": {"sts:ExternalId": "${projectId}"}}`,
    };
  }

  /** Clients and credentials held now. */
  cached(): { clients: number; credentials: number } {
    return { clients: this.clients.size, credentials: this.credentials.size };
  }

  roleKey(target: Pick<RoleTarget, "streamId" | "projectId" | "roleArn">) {
    return {
      roleArn: target.roleArn,
      projectId: target.projectId,
      sessionName: sessionNameFor(target.streamId),
    };
  }

  /**
   * The client for a target's region and role, made only once its role could be assumed: a role
   * that cannot be (a tenant's typo, or a hostile name) leaves no client behind.
   */
  async client(target: RoleTarget): Promise<Client> {
    const key = clientKey(target);
    let client = this.clients.get(key);
    if (!client) {
      await this.credentials.get(this.roleKey(target));
      client = this.clients.get(key);
    }
    if (!client) {
      const credentials = this.credentials.provider(this.roleKey(target));
      const made: Client = this.make({
        region: target.region,
        credentials,
        requestHandler: this.http,
        maxAttempts: 2,
        cacheMiddleware: true,
        signer: reusedSigner(credentials, target.region, () => made.config),
        ...(this.endpointOf ? endpointSetting(this.endpointOf.service, this.endpointOf.env) : {}),
      });
      // Its middlewares copy the config on every call: fast mode makes that ~10x cheaper.
      withFastProperties(made.config);
      client = made;
      this.clients.set(key, client);
    }
    return client;
  }

  /** Forgets the target's client and its role's credentials (its stream changed or was deleted). */
  release(target: RoleTarget): void {
    this.clients.delete(clientKey(target));
    this.credentials.forget(this.roleKey(target));
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.http.destroy();
  }
}

const clientKey = (target: RoleTarget) => `${target.region}\n${target.roleArn}\n${target.projectId}`;

export function describeAwsError(error: unknown): { code: string; message: string } {
  const e = error as { name?: string; Code?: string; message?: string };
  return { code: e?.Code ?? e?.name ?? "Error", message: e?.message ?? String(error) };
}
