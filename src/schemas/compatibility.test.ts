import { findIncompatibilities } from "./compatibility";
import { loadDomainSchema } from "./domain-schemas";

describe("local field-level compatibility check", () => {
  const current = loadDomainSchema("identities").schema as { fields: Array<Record<string, unknown>> };
  const withFields = (fields: Array<Record<string, unknown>>) => ({ ...current, fields });

  it("finds nothing for the same schema or an added field with a default", () => {
    expect(findIncompatibilities(current, current, "FULL_TRANSITIVE")).toEqual([]);
    const added = withFields([
      ...current.fields,
      { name: "region", type: ["null", "string"], default: null },
    ]);
    expect(findIncompatibilities(current, added, "FULL")).toEqual([]);
  });

  it("names a removed required field as breaking consumers still on the current schema", () => {
    const removed = withFields(current.fields.filter((f) => f.name !== "projectId"));
    expect(findIncompatibilities(current, removed, "BACKWARD")).toEqual([]);
    const problems = findIncompatibilities(current, removed, "FULL_TRANSITIVE");
    expect(problems).toEqual([
      {
        field: "projectId",
        reason: expect.stringMatching(/no default.*consumers still on the current schema/),
      },
    ]);
  });

  it("names an added field without a default as breaking new consumers of old events", () => {
    const added = withFields([...current.fields, { name: "tenant", type: "string" }]);
    expect(findIncompatibilities(current, added, "BACKWARD")).toEqual([
      { field: "tenant", reason: expect.stringMatching(/reading existing events/) },
    ]);
  });

  it("names a retyped field", () => {
    const retyped = withFields(
      current.fields.map((f) => (f.name === "timestamp" ? { ...f, type: "string" } : f)),
    );
    const fields = findIncompatibilities(current, retyped, "FULL").map((p) => p.field);
    expect(fields).toEqual(["timestamp", "timestamp"]);
  });
});
