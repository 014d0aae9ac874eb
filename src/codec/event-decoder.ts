import { catalogEntry } from "../catalog/catalog";
import type { DomainEvent } from "../events/domain-event";
import { createRegistry } from "../schemas/avro-types";
import { domainOfSchemaName } from "../schemas/domain-schemas";
import { RegistryAdmin } from "../schemas/registry-admin";
import { valueSubject } from "../topics/domain-topics";

export type DecodeErrorCode =
  | "bad-magic-byte"
  | "unknown-schema"
  | "registry-unavailable"
  | "corrupt-avro"
  | "unknown-domain"
  | "subject-mismatch";

/** A record value that cannot become a DomainEvent; `code` says why (a connector routes on it). */
export class EventDecodeError extends Error {
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    readonly schemaId?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "EventDecodeError";
  }

  /**
   * Whether reading the record again later can succeed: the registry could not be reached. A
   * transient failure is never dead-lettered; every other code is the record's own fault.
   */
  get transient(): boolean {
    return this.code === "registry-unavailable";
  }
}

export interface EventDecoder {
  /** `topic` is where the record was written: its schema id must belong to that topic's subject. */
  decode(value: Buffer | null | undefined, topic: string): Promise<DomainEvent>;
}

interface ReaderType {
  name?: string;
  fromBuffer(buffer: Buffer): unknown;
}

/** How long a schema id's subjects are trusted before a record naming another subject looks again. */
const SUBJECTS_RECHECK_MS = 30_000;

/**
 * How long a registry's "no such schema id" (or "not under this topic's subject") is taken for a
 * registry still reading its storage. Apicurio (KafkaSQL) answers, and reports itself ready, before
 * it has replayed its journal after a restart: it then lacks ids, or lists an id under only some
 * of its subjects. Past this, the record is dead-lettered as what the registry says.
 */
export const DEFAULT_UNKNOWN_SCHEMA_GRACE_MS = 30_000;

/** Answers not yet given up on: a bound, whatever the records name. */
const MAX_ANSWERS_TRACKED = 1_000;

export interface EventDecoderOptions {
  registryUrl: string;
  unknownSchemaGraceMs?: number;
  now?: () => number;
}

/**
 * Turns a Kafka record value (Confluent wire format) back into a DomainEvent with the writer's
 * schema, fetched by id once and cached. Names are not checked against this process's catalog: a
 * consumer deployed before a name was added must still read and pass on the new event.
 *
 * A schema id must be registered under the subject of the record's topic (TopicNameStrategy): an id
 * handed out afresh by a registry that lost its state may name another topic's schema, and bytes
 * read with the wrong schema can decode into a plausible but false event.
 */
export function createEventDecoder(options: EventDecoderOptions): EventDecoder {
  const client = createRegistry(options.registryUrl);
  const admin = new RegistryAdmin(options.registryUrl);
  const now = options.now ?? Date.now;
  const graceMs = options.unknownSchemaGraceMs ?? DEFAULT_UNKNOWN_SCHEMA_GRACE_MS;
  /** When the registry first said a schema id (or id and topic) is not what records claim. */
  const answeredSince = new Map<string, number>();
  const types = new Map<number, Promise<ReaderType>>();
  const subjects = new Map<number, { at: number; subjects: Promise<Set<string>> }>();
  /** Schema id and topic pairs already checked: the hot path pays one Set lookup per record. */
  const verified = new Set<string>();

  const subjectsOf = (id: number, fresh: boolean): Promise<Set<string>> => {
    const cached = subjects.get(id);
    if (cached && !(fresh && Date.now() - cached.at > SUBJECTS_RECHECK_MS)) return cached.subjects;
    const lookup = admin.subjectsOf(id).then(
      (found) => {
        if (!found) {
          subjects.delete(id);
          throw unknownSchema(id);
        }
        return new Set(found);
      },
      (error: unknown) => {
        subjects.delete(id);
        throw new EventDecodeError(
          "registry-unavailable",
          `cannot look up schema id ${id}: ${(error as Error).message}`,
          id,
          {
            cause: error,
          },
        );
      },
    );
    subjects.set(id, { at: Date.now(), subjects: lookup });
    return lookup;
  };

  const checkSubject = async (id: number, topic: string): Promise<void> => {
    const expected = valueSubject(topic);
    if ((await subjectsOf(id, false)).has(expected)) return;
    const registered = await subjectsOf(id, true);
    if (registered.has(expected)) {
      answeredSince.delete(`${id} ${topic}`);
      return;
    }
    // Looked up afresh next time: a registry reading its storage knows more subjects each time.
    subjects.delete(id);
    throw afterGrace(
      `${id} ${topic}`,
      new EventDecodeError(
        "subject-mismatch",
        `schema id ${id} is registered under ${[...registered].join(", ") || "no subject"}, not under ${expected}, ` +
          `the subject of topic ${topic}: the record was written with another topic's schema, or the registry ` +
          "handed its ids out afresh after losing its state",
        id,
      ),
    );
  };

  const unknownSchema = (id: number, cause?: unknown): EventDecodeError =>
    afterGrace(
      String(id),
      new EventDecodeError("unknown-schema", `schema id ${id} is not in the registry`, id, { cause }),
    );

  /**
   * The registry says the record's schema is not what the record claims (no such id, or not under
   * the topic's subject): transient until it has said so for the grace period, as a registry still
   * reading its storage after a restart answers the same (see DEFAULT_UNKNOWN_SCHEMA_GRACE_MS).
   */
  const afterGrace = (key: string, permanent: EventDecodeError): EventDecodeError => {
    let since = answeredSince.get(key);
    if (since === undefined) {
      if (answeredSince.size >= MAX_ANSWERS_TRACKED) answeredSince.clear();
      since = now();
      answeredSince.set(key, since);
    }
    if (now() - since >= graceMs) return permanent;
    return new EventDecodeError(
      "registry-unavailable",
      `${permanent.message} (yet: a registry still reading its storage after a restart answers so; ` +
        `asked again for ${graceMs / 1000} s before the record counts as ${permanent.code})`,
      permanent.schemaId,
      { cause: permanent },
    );
  };

  const typeOf = (id: number): Promise<ReaderType> => {
    let type = types.get(id);
    if (!type) {
      type = client.getSchema(id).then(
        (schema) => {
          answeredSince.delete(String(id));
          return schema as unknown as ReaderType;
        },
        (error: unknown) => {
          types.delete(id); // a registry outage is not remembered; an unknown id is looked up again too
          const status = (error as { status?: number }).status;
          if (status === 404 || /not found|40403/i.test(String((error as Error).message))) {
            throw unknownSchema(id, error);
          }
          throw new EventDecodeError(
            "registry-unavailable",
            `cannot fetch schema id ${id}: ${(error as Error).message}`,
            id,
            { cause: error },
          );
        },
      );
      types.set(id, type);
    }
    return type;
  };

  return {
    async decode(value, topic) {
      if (!value || value.length < 5) {
        throw new EventDecodeError(
          "corrupt-avro",
          `record value of ${value?.length ?? 0} bytes is too short for the wire format`,
        );
      }
      if (value[0] !== 0) {
        throw new EventDecodeError(
          "bad-magic-byte",
          `record value starts with byte ${value[0]}, not the wire format's magic byte 0`,
        );
      }
      const id = value.readInt32BE(1);
      const type = await typeOf(id);
      const pair = `${id} ${topic}`;
      if (!verified.has(pair)) {
        await checkSubject(id, topic);
        verified.add(pair);
      }
      let record: Record<string, unknown>;
      try {
        record = type.fromBuffer(value.subarray(5)) as Record<string, unknown>;
      } catch (error) {
        throw new EventDecodeError(
          "corrupt-avro",
          `cannot decode with schema ${id}: ${(error as Error).message}`,
          id,
          {
            cause: error,
          },
        );
      }
      return toEvent(record, type.name, id);
    },
  };
}

function toEvent(record: Record<string, unknown>, schemaName: string | undefined, id: number): DomainEvent {
  const name = String(record.name);
  const domain = domainOfSchemaName(schemaName) ?? catalogEntry(name)?.domain;
  if (!domain)
    throw new EventDecodeError(
      "unknown-domain",
      `schema ${id} (${schemaName}) is not a domain event schema`,
      id,
    );
  const timestamp = record.timestamp instanceof Date ? record.timestamp : new Date(Number(record.timestamp));
  return {
    id: String(record.id),
    name,
    domain,
    version: String(record.version),
    timestamp,
    projectId: String(record.projectId).toLowerCase(),
    eventAttributes: (record.eventAttributes ?? {}) as Record<string, string>,
    source: (record.source ?? null) as string | null,
    traceparent: (record.traceparent ?? null) as string | null,
  };
}
