import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DOMAINS, type Domain } from "../events/domain-event";
import { findProjectRoot } from "../project-root";

/** Where the .avsc files live: schemas/<domain>.avsc, one value schema per domain topic. */
export function schemasDir(): string {
  return path.join(findProjectRoot(), "schemas");
}

export interface DomainSchema {
  domain: Domain;
  file: string;
  schema: Record<string, unknown>;
  /** Canonical text sent to the registry: the same bytes every time, so registering is idempotent. */
  text: string;
}

export function loadDomainSchema(domain: Domain, dir: string = schemasDir()): DomainSchema {
  const file = path.join(dir, `${domain}.avsc`);
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot read the ${domain} schema ${file}: ${(error as Error).message}`);
  }
  return { domain, file, schema, text: JSON.stringify(schema) };
}

export function loadDomainSchemas(dir: string = schemasDir()): DomainSchema[] {
  return DOMAINS.map((domain) => loadDomainSchema(domain, dir));
}

/** The writer schema's full name is `eventstreams.<domain>.DomainEvent`: that is how a decoder knows the domain. */
export function domainOfSchemaName(fullName: string | undefined): Domain | undefined {
  const match = /^eventstreams\.([a-z0-9]+)\./.exec(fullName ?? "");
  return DOMAINS.find((domain) => domain === match?.[1]);
}
