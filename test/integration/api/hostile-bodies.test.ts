import { generateSecret } from "../../../connectors/sinks/https/signature";
import { newProject, startTestApi, type TestApi } from "../../support/api";

/**
 * A tenant controls every byte it sends through its token. Each of these requests is refused with
 * a 4xx that names the field at fault (or `body`, for the body as a whole), nothing is stored, and
 * every answer comes back within 100 ms: no pattern backtracks, no parser walks a bomb.
 */
const TOPIC = "arn:aws:sns:us-east-1:123456789012:orders";
const ROLE = "arn:aws:iam::123456789012:role/event-streamer";
const sns = { type: "sns", topic_arn: TOPIC, role_arn: ROLE };
const https = { type: "https", https_endpoint: "https://hooks.example.com/in" };
const RESPONSE_BUDGET_MS = 100;

interface Case {
  name: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  status: number | "4xx";
  /** The field the error must name; "body" for the body as a whole. */
  field: string;
}

const big = (unit: string, bytes = 10 * 1024) => unit.repeat(Math.ceil(bytes / unit.length));

/** Strings built to make a backtracking pattern explode, 10 KB each. */
const BACKTRACKERS = [
  (p: string) => `${p}${big("a/")}!`,
  (p: string) => `${p}${big("/a")}\u0000`,
  (p: string) => `${p}${big("-a")}!`,
  (p: string) => `${p}${big("a")}!`,
  (p: string) => `${p}${big("0")}:`,
  (p: string) => `${p}${big(" \t")}x`,
  (p: string) => `${p}${big("aa.")}@`,
  (p: string) => `${p}${big("é", 5 * 1024)}`, // two bytes each
];

const PATTERN_FIELDS: Array<{ base: Record<string, unknown>; field: string; prefixes: string[] }> = [
  { base: sns, field: "role_arn", prefixes: ["", "arn:aws:iam::123456789012:role/", "arn:aws:iam::"] },
  { base: sns, field: "topic_arn", prefixes: ["", "arn:aws:sns:us-east-1:123456789012:", "arn:aws:sns:us"] },
  { base: { type: "sqs", queue_arn: "", role_arn: ROLE }, field: "queue_arn", prefixes: ["arn:aws:sqs:eu"] },
  {
    base: { type: "firehose", delivery_stream_arn: "", role_arn: ROLE },
    field: "delivery_stream_arn",
    prefixes: ["arn:aws:firehose:eu-west-1:123456789012:deliverystream/"],
  },
  { base: https, field: "https_endpoint", prefixes: ["https://", "https://a."] },
  { base: https, field: "secret", prefixes: ["whsec_"] },
];

const cases: Case[] = [];

for (const { base, field, prefixes } of PATTERN_FIELDS) {
  for (const prefix of prefixes) {
    for (const [i, make] of BACKTRACKERS.entries()) {
      cases.push({
        name: `${field}: backtracking string #${i + 1} after "${prefix}"`,
        body: { ...base, [field]: make(prefix) },
        status: 400,
        field,
      });
    }
  }
}

// Wrong types in every field a stream has.
const FIELDS: Array<[Record<string, unknown>, string]> = [
  [sns, "type"],
  [sns, "topic_arn"],
  [sns, "role_arn"],
  [sns, "status"],
  [sns, "event_types"],
  [https, "https_endpoint"],
  [https, "batch_size"],
];
for (const [base, field] of FIELDS) {
  for (const [label, value] of [
    ["null", null],
    ["true", true],
    ["an object", { $gt: "" }],
    ["a nested array", [[[]]]],
  ] as const) {
    // An array of the wrong items is refused at its first item.
    const at = field === "event_types" && Array.isArray(value) ? "event_types[0]" : field;
    cases.push({ name: `${field} is ${label}`, body: { ...base, [field]: value }, status: 400, field: at });
  }
}

// Numbers at and past every edge.
for (const value of [0, -1, 101, 1.5, 1e308, -1e308, 2 ** 53 + 1, "10"]) {
  cases.push({
    name: `batch_size ${String(value)}`,
    body: { ...https, batch_size: value },
    status: 400,
    field: "batch_size",
  });
}
for (const raw of ["1e999", "-1e999", "123456789012345678901234567890"]) {
  cases.push({
    name: `batch_size written as ${raw}`,
    rawBody: `{"type":"https","https_endpoint":"https://hooks.example.com/in","batch_size":${raw}}`,
    status: 400,
    field: "batch_size",
  });
}

// The JSON parser refuses __proto__ itself; the others are names no stream field has, named back.
for (const key of ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"]) {
  cases.push({
    name: `a "${key}" key`,
    rawBody: `{"type":"sns","topic_arn":"${TOPIC}","role_arn":"${ROLE}","${key}":{"polluted":true}}`,
    status: 400,
    field: key === "__proto__" ? "body" : key,
  });
}
for (const key of [
  "",
  " ",
  "A",
  "1x",
  "x".repeat(65),
  "ünïcode",
  "a-b",
  "a.b",
  "$where",
  "topic_arn\u0000",
]) {
  cases.push({
    name: `the key ${JSON.stringify(key)}`,
    body: { ...sns, [key]: "x" },
    status: 400,
    field: key === "" ? "body" : key,
  });
}

// Shapes: nesting bombs, wide objects, the wrong top-level value. 3,000 levels of object are past
// the body limit; the rest is refused at its first wrong value.
for (const depth of [100, 1_000, 3_000]) {
  cases.push({
    name: `an object nested ${depth} deep`,
    rawBody: `${'{"type":'.repeat(depth)}"sns"${"}".repeat(depth)}`,
    status: depth > 1_000 ? 413 : 400,
    field: depth > 1_000 ? "body" : "type",
  });
  cases.push({
    name: `an array nested ${depth} deep in event_types`,
    rawBody: `{"type":"sns","topic_arn":"${TOPIC}","role_arn":"${ROLE}","event_types":${"[".repeat(depth)}${"]".repeat(depth)}}`,
    status: 400,
    field: "event_types[0]",
  });
}
cases.push({
  name: "33 fields",
  body: { ...sns, ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 1])) },
  status: 400,
  field: "body",
});
for (const raw of [
  "null",
  "true",
  "1",
  '"sns"',
  "[]",
  "[{}]",
  "{",
  "}",
  '{"type":"sns",}',
  "\u0000",
  "{}{}",
]) {
  cases.push({
    name: `the body ${JSON.stringify(raw)}`,
    rawBody: raw,
    status: 400,
    field: raw === "{}" ? "type" : "body",
  });
}

// Sizes past every limit: a 1 MB string, 201 event types, long names.
cases.push({
  name: "a 1 MB role_arn",
  body: { ...sns, role_arn: big("a", 1024 * 1024) },
  status: 413,
  field: "body",
});
cases.push({
  name: "201 event types",
  body: { ...sns, event_types: Array.from({ length: 201 }, () => "LoginSucceeded") },
  status: 400,
  field: "event_types",
});
cases.push({
  name: "an event type of 129 characters",
  body: { ...sns, event_types: ["L".repeat(129)] },
  status: 400,
  field: "event_types[0]",
});
cases.push({
  name: "a role ARN one character past IAM's limit",
  body: { ...sns, role_arn: `arn:aws:iam::123456789012:role/${"p/".repeat(256)}${"n".repeat(64)}` },
  status: 400,
  field: "role_arn",
});
cases.push({
  name: "an https_endpoint of 2,049 characters",
  body: { ...https, https_endpoint: `https://hooks.example.com/${"a".repeat(2049 - 26)}` },
  status: 400,
  field: "https_endpoint",
});

// Endpoints a webhook must never reach, in many spellings.
for (const endpoint of [
  "https://127.0.0.1/",
  "https://[::1]/",
  "https://localhost/",
  "https://169.254.169.254/latest/meta-data/",
  "https://[::ffff:169.254.169.254]/",
  "https://2130706433/",
  "https://0x7f.1/",
  "https://10.0.0.1/",
  "https://[fd00:ec2::254]/",
  "https://hooks.example.com:8443/",
  "https://user:pass@hooks.example.com/",
  "http://hooks.example.com/",
  "file:///etc/passwd",
  "gopher://hooks.example.com/",
]) {
  cases.push({
    name: `https_endpoint ${endpoint}`,
    body: { ...https, https_endpoint: endpoint },
    status: 400,
    field: "https_endpoint",
  });
}

// Secrets of the wrong shape.
for (const secret of [
  "",
  "whsec_",
  "whsec_short",
  `whsec_${"A".repeat(89)}`,
  "sk_live_xxx",
  generateSecret().slice(1),
]) {
  cases.push({
    name: `secret ${JSON.stringify(secret.slice(0, 12))}...`,
    body: { ...https, secret },
    status: 400,
    field: "secret",
  });
}

// Headers: the wrong content type, a hostile If-Match is covered by bad-input.test.ts.
cases.push({
  name: "a text/plain body",
  rawBody: JSON.stringify(sns),
  headers: { "content-type": "text/plain" },
  status: "4xx",
  field: "body",
});

describe("hostile request bodies", () => {
  let api: TestApi;
  const projectId = newProject();

  beforeAll(async () => {
    api = await startTestApi();
  });

  afterAll(async () => {
    await api?.close();
  });

  it("has at least 150 of them", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases)("$name → 4xx naming $field", async (c) => {
    const path = `/projects/${projectId}/eventstreams?verify=false`;
    const send = async () => {
      const started = performance.now();
      const response = await api.call("POST", path, { body: c.body, rawBody: c.rawBody, headers: c.headers });
      return { response, ms: performance.now() - started };
    };
    let { response, ms } = await send();
    // One more try before calling it slow: a pause of the test process itself is not the API's.
    if (ms >= RESPONSE_BUDGET_MS) ({ response, ms } = await send());
    if (c.status === "4xx") {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    } else {
      expect(response.status).toBe(c.status);
    }
    expect(response.body.error.field).toBe(c.field);
    expect(response.body.error.message).toContain(c.field);
    expect(JSON.stringify(response.body)).not.toMatch(/\bat .+\.(ts|js):\d+/);
    expect(ms).toBeLessThan(RESPONSE_BUDGET_MS);
  });

  it("stored nothing, and no prototype was polluted", async () => {
    expect((await api.call("GET", `/projects/${projectId}/eventstreams`)).body).toEqual({
      event_streams: [],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
