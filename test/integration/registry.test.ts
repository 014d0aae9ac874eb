import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { stackFromEnv } from "../../support/stack-env";
import { uniqueName } from "../../support/unique";

const personV1 = {
  type: "record",
  name: "Person",
  namespace: "test.foundation",
  fields: [
    { name: "id", type: "string" },
    { name: "age", type: "int" },
  ],
};

describe("schema registry (Confluent-compatible API)", () => {
  const registry = new SchemaRegistry({ host: stackFromEnv().schemaRegistryUrl });

  it("registers an Avro schema, encodes with it and decodes by the id in the wire format", async () => {
    const subject = `${uniqueName("foundation")}-value`;
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(personV1) },
      { subject },
    );
    const encoded = await registry.encode(id, { id: "p1", age: 42 });

    // Confluent wire format: magic byte 0, then the schema id as a big-endian int32.
    expect(encoded.readUInt8(0)).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ id: "p1", age: 42 });
  });

  it("refuses an incompatible change under BACKWARD compatibility", async () => {
    const subject = `${uniqueName("foundation")}-value`;
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(personV1) }, { subject });
    const config = await fetch(`${stackFromEnv().schemaRegistryUrl}/config/${subject}`, {
      method: "PUT",
      headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
      body: JSON.stringify({ compatibility: "BACKWARD" }),
    });
    expect(config.ok).toBe(true);

    // A new required field without a default cannot be read from old records.
    const incompatible = {
      ...personV1,
      fields: [...personV1.fields, { name: "email", type: "string" }],
    };
    await expect(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(incompatible) }, { subject }),
    ).rejects.toThrow(/409|incompatible/i);

    // The same field with a default is a compatible change.
    const compatible = {
      ...personV1,
      fields: [...personV1.fields, { name: "email", type: "string", default: "" }],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(compatible) },
      { subject },
    );
    expect(id).toBeGreaterThan(0);
  });
});
