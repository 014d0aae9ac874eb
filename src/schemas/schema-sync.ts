import { domainTopic, valueSubject } from "../topics/domain-topics";
import { findIncompatibilities, type Incompatibility } from "./compatibility";
import { type DomainSchema, loadDomainSchemas } from "./domain-schemas";
import type { RegistryAdmin } from "./registry-admin";

/**
 * FULL_TRANSITIVE (stricter than BACKWARD): new consumers read the 7 days of old events on the
 * topic, and consumers not yet upgraded read events from upgraded producers. Under BACKWARD alone,
 * removing a required field would pass and crash every consumer still on the old schema.
 */
export const DEFAULT_COMPATIBILITY = "FULL_TRANSITIVE";

export interface SchemaSyncOptions {
  prefix: string;
  dir?: string;
  compatibility?: string;
}

export interface RegisterOutcome {
  subject: string;
  file: string;
  id: number;
  /** False when the registry already had this exact schema as its latest version. */
  changed: boolean;
  compatibility: string;
}

export async function registerDomainSchemas(
  admin: RegistryAdmin,
  options: SchemaSyncOptions,
): Promise<RegisterOutcome[]> {
  const compatibility = options.compatibility ?? DEFAULT_COMPATIBILITY;
  const outcomes: RegisterOutcome[] = [];
  for (const schema of loadDomainSchemas(options.dir)) {
    const subject = subjectOf(schema, options.prefix);
    // Set first, so even the first version is registered under the rule that protects the next one.
    await admin.setCompatibility(subject, compatibility);
    const before = await admin.latest(subject);
    const id = await admin.register(subject, schema.text);
    outcomes.push({ subject, file: schema.file, id, changed: before?.id !== id, compatibility });
  }
  return outcomes;
}

export interface CheckOutcome {
  subject: string;
  file: string;
  status: "compatible" | "new-subject" | "incompatible";
  problems: Incompatibility[];
}

export async function checkDomainSchemas(
  admin: RegistryAdmin,
  options: SchemaSyncOptions,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const schema of loadDomainSchemas(options.dir)) {
    outcomes.push(await checkOne(admin, schema, subjectOf(schema, options.prefix)));
  }
  return outcomes;
}

async function checkOne(admin: RegistryAdmin, schema: DomainSchema, subject: string): Promise<CheckOutcome> {
  const latest = await admin.latest(subject);
  if (!latest) return { subject, file: schema.file, status: "new-subject", problems: [] };
  const level = (await admin.compatibility(subject)) ?? DEFAULT_COMPATIBILITY;
  const problems = findIncompatibilities(JSON.parse(latest.schema), schema.schema, level);
  const registryAgrees = await admin.isCompatible(subject, schema.text);
  if (!registryAgrees && problems.length === 0) {
    problems.push({
      field: "(schema)",
      reason: `the registry refuses it under ${level} but gave no detail; compare ${schema.file} with version ${latest.version}`,
    });
  }
  return {
    subject,
    file: schema.file,
    status: problems.length > 0 ? "incompatible" : "compatible",
    problems,
  };
}

function subjectOf(schema: DomainSchema, prefix: string): string {
  return valueSubject(domainTopic(schema.domain, prefix));
}

/** One line per problem: `subject identities.events-value, field projectId: ...`. */
export function describeProblems(outcomes: CheckOutcome[]): string[] {
  return outcomes.flatMap((o) =>
    o.problems.map((p) => `subject ${o.subject}, field ${p.field}: ${p.reason} [${o.file}]`),
  );
}
