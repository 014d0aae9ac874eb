import { randomUUID } from "node:crypto";
import { eventNames } from "../../src/catalog/catalog";
import type { Domain } from "../../src/events/domain-event";

/** One simulated event, ready for publisher.publishMany. */
export interface SimulatedEvent {
  domain: Domain;
  name: string;
  projectId: string;
  eventAttributes: Record<string, string>;
}

const CITIES = [
  "Berlin",
  "Munich",
  "London",
  "New York",
  "San Francisco",
  "Tokyo",
  "São Paulo",
  "Lagos",
  "Sydney",
  "Toronto",
];
const FLOW_TYPES = ["browser", "api"];
const FAILURE_REASONS = ["invalid_credentials", "rate_limited", "validation_failed", "expired_flow"];

/** How often each name occurs relative to the others (1 unless listed): checks dominate real traffic. */
const WEIGHTS: Record<string, number> = {
  SessionChecked: 30,
  PermissionsChecked: 30,
  OAuth2AccessTokenInspected: 15,
  OAuth2AccessTokenIssued: 10,
  SessionIssued: 6,
  LoginSucceeded: 6,
  LoginInitiated: 6,
  LoginFailed: 3,
  SessionTokenizedAsJWT: 4,
  RelationtuplesCreated: 4,
  OAuth2RefreshTokenIssued: 4,
  OIDCIdentityTokenIssued: 4,
};

/**
 * A realistic mix of catalog events over a fixed set of projects, each with its own identities and
 * OAuth2 clients, so attributes repeat the way they would in production.
 */
export class EventMix {
  private readonly names: Array<{ domain: Domain; name: string; weight: number }>;
  private readonly totalWeight: number;
  private readonly projects: Array<{ id: string; identities: string[]; clients: string[] }>;

  /** `projectIds` names the projects (the demo's own); otherwise `projectCount` random ones. */
  constructor(domains: readonly Domain[], projectCount: number, projectIds?: readonly string[]) {
    this.names = domains.flatMap((domain) =>
      eventNames(domain).map((name) => ({ domain, name: name as string, weight: WEIGHTS[name] ?? 1 })),
    );
    this.totalWeight = this.names.reduce((sum, n) => sum + n.weight, 0);
    const ids = projectIds ?? Array.from({ length: projectCount }, () => randomUUID());
    this.projects = ids.map((id) => ({
      id,
      identities: Array.from({ length: 20 }, () => randomUUID()),
      clients: Array.from({ length: 3 }, () => randomUUID()),
    }));
  }

  get projectIds(): string[] {
    return this.projects.map((p) => p.id);
  }

  next(): SimulatedEvent {
    const project = pick(this.projects);
    let roll = Math.random() * this.totalWeight;
    let chosen = this.names[0] as (typeof this.names)[number];
    for (const candidate of this.names) {
      roll -= candidate.weight;
      if (roll < 0) {
        chosen = candidate;
        break;
      }
    }
    const identityId = pick(project.identities);
    return {
      domain: chosen.domain,
      name: chosen.name,
      projectId: project.id,
      eventAttributes: attributesFor(chosen.name, identityId, pick(project.clients)),
    };
  }
}

function attributesFor(name: string, identityId: string, clientId: string): Record<string, string> {
  const geo = { GeoLocationCity: pick(CITIES) };
  if (name.startsWith("Session")) return { IdentityID: identityId, SessionID: randomUUID(), ...geo };
  if (/^(Login|Registration|Settings|Recovery|Verification)/.test(name)) {
    const flow = { FlowID: randomUUID(), FlowType: pick(FLOW_TYPES), ...geo };
    if (name.endsWith("Failed")) return { ...flow, Reason: pick(FAILURE_REASONS) };
    return name.endsWith("Initiated") ? flow : { ...flow, IdentityID: identityId };
  }
  if (name.startsWith("Identity")) return { IdentityID: identityId, SchemaID: "default" };
  if (name.startsWith("Webhook"))
    return {
      WebhookID: randomUUID(),
      IdentityID: identityId,
      StatusCode: name.endsWith("Failed") ? "502" : "200",
    };
  if (name.startsWith("SCIM")) return { GroupID: randomUUID(), SCIMClientID: clientId };
  if (name.startsWith("Courier"))
    return { MessageID: randomUUID(), Channel: pick(["email", "sms"]), Template: "login_code" };
  if (name.startsWith("OAuth2") || name.startsWith("OIDC")) {
    return {
      ClientID: clientId,
      Subject: identityId,
      GrantType: pick(["authorization_code", "client_credentials", "refresh_token"]),
    };
  }
  if (name.startsWith("Relationtuples") || name.startsWith("Permissions")) {
    return {
      Namespace: "documents",
      Object: `doc-${Math.floor(Math.random() * 1000)}`,
      Relation: "viewer",
      SubjectID: identityId,
    };
  }
  return { IdentityID: identityId, ...geo };
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}
