import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../apps/cli/main";
import {
  createEventDecoder,
  DEFAULT_UNKNOWN_SCHEMA_GRACE_MS,
  EventDecodeError,
} from "../../src/codec/event-decoder";
import { createRegistry } from "../../src/schemas/avro-types";
import { schemasDir } from "../../src/schemas/domain-schemas";
import { RegistryAdmin } from "../../src/schemas/registry-admin";
import { checkDomainSchemas, describeProblems, registerDomainSchemas } from "../../src/schemas/schema-sync";
import { domainTopic, valueSubject } from "../../src/topics/domain-topics";
import { stackFromEnv } from "../../support/stack-env";
import { uniqueName } from "../../support/unique";

/** A copy of schemas/ with one schema edited, as a product team's working tree would have it. */
function editedSchemas(
  edit: (fields: Array<Record<string, unknown>>) => Array<Record<string, unknown>>,
): string {
  const dir = mkdtempSync(path.join(tmpdir(), "schemas-"));
  cpSync(schemasDir(), dir, { recursive: true });
  const file = path.join(dir, "identities.avsc");
  const schema = JSON.parse(readFileSync(file, "utf8"));
  schema.fields = edit(schema.fields);
  writeFileSync(file, JSON.stringify(schema, null, 2));
  return dir;
}

describe("schema evolution", () => {
  const { schemaRegistryUrl } = stackFromEnv();
  const admin = new RegistryAdmin(schemaRegistryUrl);
  let prefix: string;
  let subject: string;

  beforeAll(async () => {
    prefix = uniqueName("evolution");
    subject = valueSubject(domainTopic("identities", prefix));
    await registerDomainSchemas(admin, { prefix });
  });

  it("registers idempotently with a compatibility level at least as strict as BACKWARD", async () => {
    const first = await registerDomainSchemas(admin, { prefix });
    expect(first.every((o) => !o.changed)).toBe(true);
    expect(await admin.compatibility(subject)).toBe("FULL_TRANSITIVE");
  });

  it("a new event name needs no schema change, and a consumer built before it decodes it", async () => {
    // `name` is a string checked against the producer's catalog, so a newer producer's catalog
    // with one more name registers the very same schema: same id, no new version.
    const again = await registerDomainSchemas(admin, { prefix });
    const latest = await admin.latest(subject);
    expect(again[0]?.id).toBe(latest?.id);
    expect((await checkDomainSchemas(admin, { prefix })).every((o) => o.status === "compatible")).toBe(true);

    // A newer producer writes a name this process's catalog has never heard of...
    const registry = createRegistry(schemaRegistryUrl);
    const value = await registry.encode(latest?.id as number, {
      id: randomUUID(),
      name: "PasskeyEnrolled",
      version: "1",
      timestamp: new Date(),
      projectId: randomUUID(),
      eventAttributes: { IdentityID: "i-1" },
      source: null,
      traceparent: null,
    });
    // ...and the old consumer reads it with its own (old) reader schema and through the decoder.
    const oldReader = JSON.parse(readFileSync(path.join(schemasDir(), "identities.avsc"), "utf8"));
    expect(await registry.decode(value, { AVRO: { readerSchema: oldReader } } as never)).toMatchObject({
      name: "PasskeyEnrolled",
    });
    const event = await createEventDecoder({ registryUrl: schemaRegistryUrl }).decode(
      value,
      domainTopic("identities", prefix),
    );
    expect(event).toMatchObject({ name: "PasskeyEnrolled", domain: "identities" });
  });

  it("accepts an added optional field with a default", async () => {
    const dir = editedSchemas((fields) => [
      ...fields,
      { name: "region", type: ["null", "string"], default: null },
    ]);
    const outcomes = await checkDomainSchemas(admin, { prefix, dir });
    expect(outcomes.map((o) => o.status)).toEqual(["compatible", "compatible", "compatible"]);
  });

  it.each([
    [
      "a required field removed",
      (fields: Array<Record<string, unknown>>) => fields.filter((f) => f.name !== "projectId"),
      "projectId",
    ],
    [
      "a field retyped",
      (fields: Array<Record<string, unknown>>) =>
        fields.map((f) => (f.name === "timestamp" ? { ...f, type: "string" } : f)),
      "timestamp",
    ],
  ])(
    "refuses %s: schemas check names subject and field, and the registry refuses it",
    async (_case, edit, field) => {
      const dir = editedSchemas(edit);
      const outcomes = await checkDomainSchemas(admin, { prefix, dir });
      expect(outcomes[0]?.status).toBe("incompatible");
      const lines = describeProblems(outcomes);
      expect(lines[0]).toContain(`subject ${subject}, field ${field}`);

      // The CLI fails with that message (what a product service's CI runs).
      const stderr: string[] = [];
      const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
        stderr.push(String(chunk));
        return true;
      });
      const stdout = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
      try {
        await main([
          "node",
          "eventstreams",
          "schemas",
          "check",
          "--prefix",
          prefix,
          "--dir",
          dir,
          "--registry-url",
          schemaRegistryUrl,
        ]);
      } finally {
        spy.mockRestore();
        stdout.mockRestore();
      }
      expect(process.exitCode).toBe(1);
      process.exitCode = 0;
      expect(stderr.join("")).toContain(`subject ${subject}, field ${field}`);

      const text = JSON.stringify(JSON.parse(readFileSync(path.join(dir, "identities.avsc"), "utf8")));
      await expect(admin.register(subject, text)).rejects.toThrow(/409|incompatible/i);
    },
  );

  it("the decoder raises typed errors for a bad magic byte, an unknown schema id and corrupt Avro", async () => {
    let now = 0;
    const decoder = createEventDecoder({
      registryUrl: schemaRegistryUrl,
      unknownSchemaGraceMs: 30_000,
      now: () => now,
    });
    const latest = await admin.latest(subject);
    const code = (value: Buffer) =>
      decoder.decode(value, domainTopic("identities", prefix)).then(
        () => "decoded",
        (e: unknown) => (e instanceof EventDecodeError ? e.code : String(e)),
      );
    expect(await code(Buffer.from('{"name":"IdentityCreated"}'))).toBe("bad-magic-byte");
    const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 3]);
    // Transient (read again later) while a restarted registry may still be reading its storage.
    expect(await code(unknownId)).toBe("registry-unavailable");
    now += 29_999;
    expect(await code(unknownId)).toBe("registry-unavailable");
    now += 1;
    expect(await code(unknownId)).toBe("unknown-schema");
    const corrupt = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), Buffer.from([0xff, 0xff, 0xff])]);
    corrupt.writeInt32BE(latest?.id as number, 1);
    expect(await code(corrupt)).toBe("corrupt-avro");
  });

  it("the decoder refuses a record whose schema id belongs to another topic's subject, naming both", async () => {
    const oauth2Topic = domainTopic("oauth2", prefix);
    const oauth2 = await admin.latest(valueSubject(oauth2Topic));
    const value = await createRegistry(schemaRegistryUrl).encode(oauth2?.id as number, {
      id: randomUUID(),
      name: "OAuth2AccessTokenIssued",
      version: "1",
      timestamp: new Date(),
      projectId: randomUUID(),
      eventAttributes: {},
      source: null,
      traceparent: null,
    });
    let now = 0;
    const decoder = createEventDecoder({ registryUrl: schemaRegistryUrl, now: () => now });
    // Read from its own topic it decodes; read as if written to the identities topic it does not.
    expect(await decoder.decode(value, oauth2Topic)).toMatchObject({ domain: "oauth2" });
    const mismatched = () =>
      decoder.decode(value, domainTopic("identities", prefix)).then(
        () => undefined,
        (e: unknown) => e,
      );
    // Transient at first: a registry replaying its journal lists an id under only some subjects.
    expect(((await mismatched()) as EventDecodeError).code).toBe("registry-unavailable");
    now += DEFAULT_UNKNOWN_SCHEMA_GRACE_MS;
    const error = await mismatched();
    expect(error).toBeInstanceOf(EventDecodeError);
    expect((error as EventDecodeError).code).toBe("subject-mismatch");
    expect((error as Error).message).toContain(valueSubject(oauth2Topic));
    expect((error as Error).message).toContain(subject);
  });
});
