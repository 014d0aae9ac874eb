import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import avro from "avsc";

/** `timestamp-millis` as a JavaScript Date on both sides, so events carry Dates, not raw longs. */
export class TimestampMillis extends avro.types.LogicalType {
  override _fromValue(value: number): Date {
    return new Date(value);
  }
  override _toValue(value: unknown): number | undefined {
    if (value instanceof Date) return value.getTime();
    return typeof value === "number" ? value : undefined;
  }
  override _resolve(type: avro.Type): ((value: number) => number) | undefined {
    if (avro.Type.isType(type, "long", "int", "logical:timestamp-millis")) return (value) => value;
    return undefined;
  }
}

export const AVRO_OPTIONS = { logicalTypes: { "timestamp-millis": TimestampMillis } };

export function parseAvro(schema: object): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, AVRO_OPTIONS);
}

/** A registry client that decodes and encodes timestamps as Dates. */
export function createRegistry(registryUrl: string): SchemaRegistry {
  return new SchemaRegistry({ host: registryUrl }, { [SchemaType.AVRO]: AVRO_OPTIONS });
}
