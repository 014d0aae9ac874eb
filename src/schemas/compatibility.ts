import avro from "avsc";

/**
 * A local, field-level compatibility check with avsc. The registry only answers yes or no (Apicurio
 * gives no detail), and a product team's CI needs to know which field broke which consumers.
 */
export interface Incompatibility {
  /** Dotted path of the field, e.g. `projectId` or `payload.city`. */
  field: string;
  reason: string;
}

export type Direction = "backward" | "forward";

export function directionsOf(level: string): Direction[] {
  const base = level.toUpperCase().replace(/_TRANSITIVE$/, "");
  if (base === "BACKWARD") return ["backward"];
  if (base === "FORWARD") return ["forward"];
  if (base === "FULL") return ["backward", "forward"];
  return [];
}

/** What breaks when `proposed` replaces `current` under the given compatibility level. */
export function findIncompatibilities(current: object, proposed: object, level: string): Incompatibility[] {
  const found: Incompatibility[] = [];
  for (const direction of directionsOf(level)) {
    // BACKWARD: new consumers read old events. FORWARD: consumers still on the old schema read new events.
    const [reader, writer] = direction === "backward" ? [proposed, current] : [current, proposed];
    const who =
      direction === "backward"
        ? "consumers on the new schema reading existing events"
        : "consumers still on the current schema";
    for (const problem of compareRecords(parse(reader), parse(writer), "")) {
      found.push({ field: problem.field, reason: `${problem.reason} (breaks ${who})` });
    }
  }
  return found;
}

function parse(schema: object): avro.Type {
  // Logical types are irrelevant to compatibility: their underlying types are what is encoded.
  return avro.Type.forSchema(schema as avro.Schema);
}

function compareRecords(reader: avro.Type, writer: avro.Type, prefix: string): Incompatibility[] {
  if (!(reader instanceof avro.types.RecordType) || !(writer instanceof avro.types.RecordType)) {
    return canResolve(reader, writer)
      ? []
      : [{ field: prefix || "(root)", reason: mismatch(reader, writer) }];
  }
  const problems: Incompatibility[] = [];
  for (const field of reader.fields) {
    const path = prefix ? `${prefix}.${field.name}` : field.name;
    const source = writer.fields.find((w) => w.name === field.name || field.aliases.includes(w.name));
    if (!source) {
      if (field.defaultValue() === undefined) {
        problems.push({
          field: path,
          reason: `field "${path}" is required (no default) but missing from the writer schema`,
        });
      }
      continue;
    }
    if (field.type instanceof avro.types.RecordType && source.type instanceof avro.types.RecordType) {
      problems.push(...compareRecords(field.type, source.type, path));
    } else if (!canResolve(field.type, source.type)) {
      problems.push({ field: path, reason: `field "${path}": ${mismatch(field.type, source.type)}` });
    }
  }
  return problems;
}

function canResolve(reader: avro.Type, writer: avro.Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

function mismatch(reader: avro.Type, writer: avro.Type): string {
  return `written as ${describe(writer)}, which a reader expecting ${describe(reader)} cannot read`;
}

function describe(type: avro.Type): string {
  return JSON.stringify(type.schema());
}
