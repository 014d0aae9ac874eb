import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import pino from "pino";
import { createSinkRegistry } from "../../connectors/sinks";
import { systemTopics } from "../../src/topics/system-topics";
import { Authenticator } from "./auth";
import { buildServer } from "./server";

/**
 * The OpenAPI document against the server it describes: valid OpenAPI 3.1 (a maintained
 * validator), every route the server registers described with its method, the security scheme,
 * the error body, and every sink's destination settings in snake_case.
 */
describe("GET /openapi.json", () => {
  const routes: { method: string; url: string }[] = [];
  // Nothing here connects: routes only hold their dependencies until a request needs them.
  const kafka = new Kafka({ brokers: ["127.0.0.1:1"], logLevel: logLevel.NOTHING });
  const topics = systemTopics("openapi-test");
  const app = buildServer({
    service: {} as never,
    authenticator: new Authenticator({ adminTokens: ["admin-token"], projectTokens: {} }),
    logger: pino({ level: "silent" }),
    isReady: () => true,
    sinks: createSinkRegistry(),
    failures: {
      kafka,
      topics,
      firstTier: { topic: "openapi-test.retry.5s", index: 0, name: "5s", delayMs: 5000 },
    },
  });
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat())
      if (method !== "HEAD") routes.push({ method, url: route.url });
  });
  let document: Record<string, unknown>;

  beforeAll(async () => {
    // Over a real socket: fastify's inject needs an ES module jest cannot load.
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const response = await fetch(`${url}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Record<string, unknown>;
  });
  afterAll(() => app.close());

  it("is a valid OpenAPI 3.1 document", () => {
    const result = JSON.parse(
      execFileSync(process.execPath, [path.join(__dirname, "../../test/support/validate-openapi.mjs")], {
        input: JSON.stringify(document),
      }).toString(),
    );
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("describes every route the server registers, without a token where none is needed", () => {
    const paths = document.paths as Record<string, Record<string, { security?: unknown[] }>>;
    expect(routes.length).toBeGreaterThan(15);
    // The console's files are not the API: @fastify/static leaves them out (schemaHide).
    for (const { method, url } of routes.filter((r) => !r.url.startsWith("/console/"))) {
      const path = url.replace(/:([A-Za-z]+)/g, "{$1}");
      expect({ method, path, described: paths[path]?.[method.toLowerCase()] !== undefined }).toEqual({
        method,
        path,
        described: true,
      });
    }
    for (const open of ["/healthz", "/readyz", "/metrics", "/openapi.json"])
      expect(paths[open]?.get?.security).toEqual([]);
    expect(paths["/projects/{projectId}/eventstreams"]?.post?.security).toBeUndefined();
  });

  it("names the bearer scheme, the error body and each sink's destination settings", () => {
    expect(at(document, "components", "securitySchemes")).toEqual({
      bearer: expect.objectContaining({ type: "http", scheme: "bearer" }),
    });
    const schemas = (...path: string[]) => at(document, "components", "schemas", ...path);
    expect(schemas("ErrorBody", "properties", "error", "required")).toEqual(["code", "message"]);
    expect(schemas("Destination_sns", "required")).toEqual(["topic_arn", "role_arn"]);
    expect(Object.keys(schemas("Destination_kinesis", "properties") as object)).toEqual([
      "stream_arn",
      "role_arn",
    ]);
    const create = ["paths", "/projects/{projectId}/eventstreams", "post", "responses", "4XX"];
    expect(at(document, ...create, "content", "application/json", "schema")).toEqual({
      $ref: "#/components/schemas/ErrorBody",
    });
  });
});

/** The value at a path of keys in a parsed JSON document (undefined where it stops). */
function at(value: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}
