import { createHash, timingSafeEqual } from "node:crypto";
import type { TokenConfig } from "../../src/settings/api-settings";

export type Principal = { kind: "admin" } | { kind: "project"; projectId: string };

declare module "fastify" {
  interface FastifyRequest {
    /** Who the bearer token says the caller is (set for every route that is not public). */
    principal?: Principal;
  }
}

interface KnownToken {
  digest: Buffer;
  principal: Principal;
}

/**
 * Bearer tokens from configuration. Only digests are kept; a presented token is compared with every
 * known one in constant time (equal-length digests, timingSafeEqual, no early exit), so neither a
 * token's content nor which token matched shows in the response time.
 */
export class Authenticator {
  private readonly known: KnownToken[];

  constructor(config: TokenConfig) {
    this.known = [
      ...config.adminTokens.map((token) => ({
        digest: digest(token),
        principal: { kind: "admin" } as const,
      })),
      ...Object.entries(config.projectTokens).flatMap(([projectId, tokens]) =>
        tokens.map((token) => ({
          digest: digest(token),
          principal: { kind: "project", projectId } as const,
        })),
      ),
    ];
  }

  /** The principal of an `Authorization: Bearer <token>` header, or undefined. */
  authenticate(header: string | undefined): Principal | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    if (!match?.[1]) return undefined;
    const presented = digest(match[1]);
    let found: Principal | undefined;
    for (const token of this.known) {
      if (timingSafeEqual(presented, token.digest) && !found) found = token.principal;
    }
    return found;
  }
}

export function mayManage(principal: Principal, projectId: string): boolean {
  return principal.kind === "admin" || principal.projectId === projectId;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
