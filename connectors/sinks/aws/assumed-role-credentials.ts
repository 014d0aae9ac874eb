import { randomUUID } from "node:crypto";
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { LRUCache } from "lru-cache";

const SESSION_SECONDS = 3600;
/** Refresh this long before expiry, so no request ever carries credentials about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface RoleKey {
  roleArn: string;
  /** Passed as ExternalId: the customer's trust policy admits us only for their own project. */
  projectId: string;
  /** Identifies our service and the stream in the customer's CloudTrail. */
  sessionName: string;
}

/**
 * Roles remembered at once. Every tenant may name roles of its own, so the cache is bounded: the
 * least recently used role past this count is forgotten (and assumed again if it comes back), and
 * no entry outlives its session.
 */
export const MAX_CACHED_ROLES = 10_000;

/**
 * Temporary credentials per (role, project), cached until shortly before they expire. Concurrent
 * callers share one AssumeRole call; a failed call is not cached.
 */
export class AssumedRoleCredentials {
  private readonly cache: LRUCache<string, Promise<AwsCredentialIdentity>>;

  constructor(
    private readonly sts: STSClient,
    private readonly now: () => number = Date.now,
    max = MAX_CACHED_ROLES,
  ) {
    this.cache = new LRUCache({ max, ttl: SESSION_SECONDS * 1000 });
  }

  /** Roles cached now (for tests and gauges). */
  get size(): number {
    return this.cache.size;
  }

  /** A credential provider for an AWS SDK client: cheap to call on every request. */
  provider(key: RoleKey): () => Promise<AwsCredentialIdentity> {
    return () => this.get(key);
  }

  forget(key: RoleKey): void {
    this.cache.delete(cacheId(key));
  }

  async get(key: RoleKey): Promise<AwsCredentialIdentity> {
    const id = cacheId(key);
    const cached = this.cache.get(id);
    if (cached) {
      const credentials = await cached.catch(() => undefined);
      if (credentials && (credentials.expiration?.getTime() ?? 0) - REFRESH_MARGIN_MS > this.now())
        return credentials;
      if (this.cache.get(id) !== cached) return this.get(key); // another caller is already refreshing
    }
    const pending = this.assume(key);
    this.cache.set(id, pending);
    pending.catch(() => {
      if (this.cache.get(id) === pending) this.cache.delete(id);
    });
    return pending;
  }

  /**
   * Whether the role lets us in with an ExternalId that is not the project's (a random one): then
   * its trust policy does not require the ExternalId, and anyone who learns the role's ARN could
   * have us deliver their events to it (the confused deputy). Never cached; undefined when the
   * answer was neither a success nor a refusal.
   */
  async acceptsAnyExternalId(key: RoleKey): Promise<boolean | undefined> {
    try {
      await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: key.roleArn,
          ExternalId: `eventstreams-check-${randomUUID()}`,
          RoleSessionName: key.sessionName,
          DurationSeconds: 900,
        }),
      );
      return true;
    } catch (error) {
      const name = (error as { name?: string }).name ?? "";
      return name === "AccessDenied" || name === "AccessDeniedException" ? false : undefined;
    }
  }

  private async assume(key: RoleKey): Promise<AwsCredentialIdentity> {
    const { Credentials } = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: key.roleArn,
        ExternalId: key.projectId,
        RoleSessionName: key.sessionName,
        DurationSeconds: SESSION_SECONDS,
      }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
      throw new Error(`AssumeRole on ${key.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
      expiration: Credentials.Expiration ?? new Date(this.now() + SESSION_SECONDS * 1000),
    };
  }
}

const cacheId = (key: RoleKey) => `${key.roleArn}\n${key.projectId}`;

/** RoleSessionName allows 2-64 characters of [\w+=,.@-]. */
export function sessionNameFor(streamId: string): string {
  return `eventstreams-${streamId}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}
