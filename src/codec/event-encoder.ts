import type { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import type { Domain, DomainEvent } from "../events/domain-event";
import { type DomainSchema, loadDomainSchema } from "../schemas/domain-schemas";
import { type RegistryAdmin, RegistryError } from "../schemas/registry-admin";
import { DEFAULT_COMPATIBILITY } from "../schemas/schema-sync";
import { domainTopic, valueSubject } from "../topics/domain-topics";
import { EventValidationError, PublishError } from "./errors";

export interface EncoderOptions {
  registry: SchemaRegistry;
  admin: RegistryAdmin;
  topicPrefix: string;
  maxEventBytes: number;
  /** Register the bundled schema when the registry lacks it (development, tests). */
  autoRegister: boolean;
}

/** A registered schema ready to encode with: the id the wire format carries and its Avro type. */
interface Writer {
  id: number;
  header: Buffer;
  type: {
    toBuffer(value: object): Buffer;
    encode(value: object, buffer: Buffer, position: number): number;
    isValid(value: object, opts?: object): boolean;
  };
}

/**
 * Turns events into Confluent wire-format values with the schema bundled in schemas/. The schema's
 * registry id is looked up once per domain and cached; after `prepare`, encoding is synchronous,
 * which is what lets the publisher keep the order in which callers published.
 */
export class EventEncoder {
  private readonly writers = new Map<Domain, Writer>();
  private readonly lookups = new Map<Domain, Promise<Writer>>();
  private readonly schemas = new Map<Domain, DomainSchema>();
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(private readonly options: EncoderOptions) {}

  isPrepared(domain: Domain): boolean {
    return this.writers.has(domain);
  }

  async prepare(domains: Iterable<Domain>): Promise<void> {
    await Promise.all([...domains].map((domain) => this.writer(domain)));
  }

  /** Encodes one prepared event; throws EventValidationError for a misfit or an oversized event. */
  encode(event: DomainEvent, index: number): Buffer {
    const writer = this.writers.get(event.domain);
    if (!writer) throw new Error(`internal: the ${event.domain} schema was not prepared before encoding`);
    // Avro writes the schema's fields and ignores `domain`; only absent optionals need a copy.
    const record =
      event.source === undefined || event.traceparent === undefined
        ? { ...event, source: event.source ?? null, traceparent: event.traceparent ?? null }
        : event;
    let end: number;
    try {
      // Straight into a scratch buffer after the header: one copy out instead of two buffers joined.
      end = writer.type.encode(record, this.scratch, 5);
      if (end < 0) end = this.grow(-end, writer, record);
    } catch (error) {
      const paths: string[] = [];
      writer.type.isValid(record, { errorHook: (path: string[]) => paths.push(path.join(".")) });
      throw new EventValidationError(
        paths[0] || "event",
        `does not fit the ${event.domain} schema: ${(error as Error).message}`,
        index,
      );
    }
    if (end > this.options.maxEventBytes) throw oversized(event, end, this.options.maxEventBytes, index);
    writer.header.copy(this.scratch, 0);
    const value = Buffer.allocUnsafe(end);
    this.scratch.copy(value, 0, 0, end);
    return value;
  }

  /** avsc reports a too-small buffer as minus the bytes missing. */
  private grow(missing: number, writer: Writer, record: object): number {
    this.scratch = Buffer.allocUnsafe((this.scratch.length + missing) * 2);
    return writer.type.encode(record, this.scratch, 5);
  }

  private writer(domain: Domain): Promise<Writer> {
    let lookup = this.lookups.get(domain);
    if (!lookup) {
      lookup = this.resolve(domain);
      // A failed lookup (registry down) is retried on the next publish rather than cached.
      lookup.then(
        (writer) => this.writers.set(domain, writer),
        () => this.lookups.delete(domain),
      );
      this.lookups.set(domain, lookup);
    }
    return lookup;
  }

  private async resolve(domain: Domain): Promise<Writer> {
    const id = await this.resolveId(domain);
    try {
      // The registry client fetches and parses the schema by id (and caches it).
      const type = (await this.options.registry.getSchema(id)) as unknown as Writer["type"];
      const header = Buffer.alloc(5);
      header.writeUInt8(0, 0); // Confluent wire format: magic byte 0, then the schema id (int32 BE).
      header.writeInt32BE(id, 1);
      return { id, header, type };
    } catch (error) {
      throw new PublishError(
        `schema registry at ${this.options.admin.url}: cannot fetch schema ${id}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  private async resolveId(domain: Domain): Promise<number> {
    const { admin, autoRegister } = this.options;
    const schema = this.schemaOf(domain);
    const subject = valueSubject(domainTopic(domain, this.options.topicPrefix));
    try {
      const found = await admin.lookup(subject, schema.text);
      if (found !== undefined) return found;
      if (!autoRegister) {
        throw new PublishError(
          `the ${domain} schema (${schema.file}) is not registered under ${subject} at ${admin.url}: run \`eventstreams schemas register\``,
        );
      }
      await admin.setCompatibility(subject, DEFAULT_COMPATIBILITY);
      return await admin.register(subject, schema.text);
    } catch (error) {
      if (error instanceof RegistryError) {
        throw new PublishError(`schema registry at ${admin.url}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  private schemaOf(domain: Domain): DomainSchema {
    let schema = this.schemas.get(domain);
    if (!schema) {
      schema = loadDomainSchema(domain);
      this.schemas.set(domain, schema);
    }
    return schema;
  }
}

function oversized(event: DomainEvent, size: number, limit: number, index: number): EventValidationError {
  const largest = Object.entries(event.eventAttributes).sort((a, b) => b[1].length - a[1].length)[0];
  const field = largest && largest[1].length > limit / 2 ? `eventAttributes.${largest[0]}` : "event";
  return new EventValidationError(
    field,
    `the event encodes to ${size} bytes, over the limit of ${limit}`,
    index,
  );
}
