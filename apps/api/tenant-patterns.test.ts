import { randomUUID } from "node:crypto";
import { createSinkRegistry } from "../../connectors/sinks";
import type { JsonSchema } from "../../connectors/sinks/sink";
import * as apiSchemas from "./schemas";

/**
 * Every pattern a tenant's input meets (sink settings, request bodies and paths) answers a hostile
 * 10 KB string within 10 ms, and every string a tenant sets has a length limit. A backtracking
 * pattern takes seconds or hours on inputs like these.
 */
const registry = createSinkRegistry();
const SIZE = 10 * 1024;
const BUDGET_MS = 10;

interface StringField {
  where: string;
  schema: { pattern?: string; maxLength?: number; enum?: unknown[] };
}

function stringFields(schema: unknown, where: string, out: StringField[] = []): StringField[] {
  if (!schema || typeof schema !== "object") return out;
  const s = schema as Record<string, unknown>;
  if (s.type === "string" || (Array.isArray(s.type) && s.type.includes("string"))) {
    out.push({ where, schema: s as StringField["schema"] });
  }
  for (const [key, value] of Object.entries(s)) {
    if (key === "properties" && value && typeof value === "object") {
      for (const [name, sub] of Object.entries(value)) stringFields(sub, `${where}.${name}`, out);
    } else if (key === "items") {
      stringFields(value, `${where}.${key}`, out);
    } else if (key === "propertyNames" && value && typeof value === "object") {
      out.push({ where: `${where}.${key}`, schema: value as StringField["schema"] });
    } else if (key === "additionalProperties" && value && typeof value === "object") {
      stringFields(value, `${where}.*`, out);
    } else if ((key === "oneOf" || key === "anyOf") && Array.isArray(value)) {
      for (const branch of value) stringFields(branch, where, out);
    }
  }
  return out;
}

const sinkFields = registry
  .types()
  .flatMap((type) => stringFields(registry.definition(type).configSchema as JsonSchema, type));
const apiFields = Object.entries(apiSchemas).flatMap(([name, schema]) => stringFields(schema, name));

/** A valid value for each pattern: the hostile strings start from its prefixes. */
const EXAMPLES: Record<string, string> = {
  "sns.topicArn": "arn:aws:sns:us-east-1:123456789012:orders.fifo",
  "sns.roleArn": "arn:aws:iam::123456789012:role/path/to/publisher",
  "sqs.queueArn": "arn:aws:sqs:eu-west-1:123456789012:orders.fifo",
  "sqs.roleArn": "arn:aws:iam::123456789012:role/publisher",
  "firehose.deliveryStreamArn": "arn:aws:firehose:eu-west-1:123456789012:deliverystream/events",
  "firehose.roleArn": "arn:aws:iam::123456789012:role/a/b/publisher",
  "eventbridge.eventBusArn": "arn:aws:events:eu-west-1:123456789012:event-bus/aws.partner/acme.com/1/bus",
  "eventbridge.roleArn": "arn:aws:iam::123456789012:role/publisher",
  "kinesis.streamArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/events.v1",
  "kinesis.roleArn": "arn:aws:iam::123456789012:role/publisher",
  "https.httpsEndpoint": "https://example.com/hooks/events",
  "https.secret": `whsec_${"A".repeat(43)}=`,
  "https.previousSecret": `whsec_${"A".repeat(43)}=`,
  "https.auth.token": "tok_3f9a2c7e1b5d4f60",
  "https.auth.username": "events",
  "https.auth.password": "s3cret-pass",
  "https.auth.header": "X-Api-Key",
  "https.auth.value": "k-123456",
  "https.headers.propertyNames": "X-Tenant",
  "https.headers.*": "acme eu-west-1",
  "projectParams.projectId": randomUUID(),
  limitQuery: "50",
  "streamParams.projectId": randomUUID(),
  "createBody.propertyNames": "https_endpoint",
  "patchBody.propertyNames": "https_endpoint",
};

const FILLERS = ["a", "a/", "/a", "-a", "a-", "0", "0:", " ", "\t", "a.", ".", "=", "%", "whsec_", "é"];

function hostileStrings(example: string): string[] {
  const cuts = new Set([0, example.length]);
  for (let i = 0; i < example.length; i++) if (/[:/\-.=_]/.test(example[i] as string)) cuts.add(i + 1);
  const out: string[] = [];
  for (const cut of cuts) {
    const prefix = example.slice(0, cut);
    for (const filler of FILLERS) {
      const body = filler.repeat(Math.ceil((SIZE - prefix.length) / filler.length));
      out.push(`${prefix}${body}!`, `${prefix}${body}`);
    }
  }
  return out;
}

/**
 * The slowest input, each timed as the best of three runs: a backtracking pattern is slow every
 * time, while a garbage collection or the JIT compiling the pattern in the middle of one run is not.
 */
function slowest(test: (input: string) => unknown, inputs: string[]): { ms: number; input: string } {
  let worst = { ms: 0, input: "" };
  for (const input of inputs) {
    let ms = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      test(input);
      ms = Math.min(ms, performance.now() - started);
    }
    if (ms > worst.ms) worst = { ms, input };
  }
  return worst;
}

describe("patterns on tenant input", () => {
  it("finds the patterns it checks (the walk reaches every sink and request schema)", () => {
    const patterned = [...sinkFields, ...apiFields].filter((f) => f.schema.pattern).map((f) => f.where);
    expect(patterned.sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  it.each(
    [...sinkFields, ...apiFields].filter((f) => f.schema.pattern).map((f) => [f.where, f.schema.pattern]),
  )("%s answers every 10 KB hostile string within 10 ms", (where, pattern) => {
    const regex = new RegExp(pattern as string, "u");
    const example = EXAMPLES[where as string] as string;
    expect(regex.test(example)).toBe(true);
    const worst = slowest((s) => regex.test(s), hostileStrings(example));
    expect({ where, input: worst.input.slice(0, 60), fast: worst.ms < BUDGET_MS }).toEqual({
      where,
      input: worst.input.slice(0, 60),
      fast: true,
    });
  });

  it.each(registry.types())(
    "the %s sink's whole validation answers hostile settings within 10 ms",
    (type) => {
      const fields = sinkFields.filter((f) => f.where.startsWith(`${type}.`));
      for (const field of fields) {
        const name = field.where.slice(type.length + 1);
        const inputs = hostileStrings(EXAMPLES[field.where] ?? "2026-12-01T00:00:00Z");
        registry.validateConfig(type, { [name]: inputs[0] });
        const worst = slowest((s) => registry.validateConfig(type, { [name]: s }), inputs);
        expect({ field: field.where, fast: worst.ms < BUDGET_MS }).toEqual({
          field: field.where,
          fast: true,
        });
      }
    },
  );

  it("limits the length of every string a tenant sets", () => {
    const unbounded = [...sinkFields, ...apiFields]
      .filter((f) => f.schema.maxLength === undefined && f.schema.enum === undefined)
      // A propertyNames pattern bounds the name itself ({0,63}); a UUID pattern fixes its length.
      .filter((f) => !f.where.endsWith(".propertyNames") && !f.where.endsWith(".projectId"))
      .map((f) => f.where);
    expect(unbounded).toEqual([]);
  });
});
