import { STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity } from "@smithy/types";
import { AssumedRoleCredentials, sessionNameFor } from "./assumed-role-credentials";

export interface ClientSettings {
  region: string;
  credentials: () => Promise<AwsCredentialIdentity>;
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
}

export interface RoleTarget {
  streamId: string;
  projectId: string;
  roleArn: string;
  region: string;
}

/**
 * AWS SDK clients acting as a customer's role (ExternalId = project id), one per region and role,
 * sharing one connection pool. Every AWS sink holds one of these.
 */
export class AssumedRoleClients<Client extends { destroy(): void }> {
  // A hung destination must not hold a partition forever: time out and let the retry path take it.
  private readonly http = new NodeHttpHandler({
    httpsAgent: { keepAlive: true, maxSockets: 64 },
    httpAgent: { keepAlive: true, maxSockets: 64 },
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    throwOnRequestTimeout: true,
  });
  readonly credentials: AssumedRoleCredentials;
  private readonly clients = new Map<string, Client>();

  /** `sts` is our own identity's client (standard provider chain); tests pass one they observe. */
  constructor(
    private readonly make: (settings: ClientSettings) => Client,
    sts?: STSClient,
  ) {
    this.credentials = new AssumedRoleCredentials(sts ?? new STSClient({ requestHandler: this.http }));
  }

  roleKey(target: RoleTarget) {
    return {
      roleArn: target.roleArn,
      projectId: target.projectId,
      sessionName: sessionNameFor(target.streamId),
    };
  }

  client(target: RoleTarget): Client {
    const key = `${target.region}\n${target.roleArn}\n${target.projectId}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.make({
        region: target.region,
        credentials: this.credentials.provider(this.roleKey(target)),
        requestHandler: this.http,
        maxAttempts: 2,
      });
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.http.destroy();
  }
}

export function describeAwsError(error: unknown): { code: string; message: string } {
  const e = error as { name?: string; Code?: string; message?: string };
  return { code: e?.Code ?? e?.name ?? "Error", message: e?.message ?? String(error) };
}
