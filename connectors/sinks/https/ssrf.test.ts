import { randomUUID } from "node:crypto";
import type { LookupAddress } from "node:dns";
import pino from "pino";
import { startWebhookServer, type WebhookServer } from "../../../support/webhook-server";
import type { SinkContext } from "../sink";
import { SinkRegistry } from "../sink-registry";
import { HttpsSink, httpsSink } from "./index";
import { generateSecret } from "./signature";

/**
 * Hostile endpoints, each pointing at a live HTTPS server on 127.0.0.1 where that is possible: each
 * must be refused at creation (validation) or at delivery, and the server must see nothing.
 * `webhook.test` is the one allowed host; the `.test` names below resolve through a fake DNS.
 */
const dns: Record<string, string[]> = {
  "webhook.test": ["127.0.0.1"],
  "evil.test": ["127.0.0.1"],
  "metadata.test": ["169.254.169.254"],
  "private.test": ["10.1.2.3"],
  "mixed.test": ["93.184.216.34", "192.168.0.10"],
  "v6loop.test": ["::1"],
  "mapped.test": ["::ffff:127.0.0.1"],
  "ula.test": ["fd00:ec2::254"],
};
const resolver = async (host: string): Promise<LookupAddress[]> =>
  (dns[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

const hostile = (port: number): string[] => [
  `https://127.0.0.1:${port}/`,
  `https://127.0.0.2:${port}/`,
  `https://localhost:${port}/`,
  `https://LOCALHOST.:${port}/`,
  `https://app.localhost:${port}/`,
  `https://2130706433:${port}/`, // decimal 127.0.0.1
  `https://0x7f000001:${port}/`, // hex
  `https://0177.0.0.1:${port}/`, // octal
  `https://0x7f.1:${port}/`,
  `https://127.1:${port}/`,
  `https://0:${port}/`,
  `https://0.0.0.0:${port}/`,
  `https://[::]:${port}/`,
  `https://[::1]:${port}/`,
  `https://[::ffff:127.0.0.1]:${port}/`,
  `https://[0:0:0:0:0:ffff:7f00:1]:${port}/`,
  `https://[::127.0.0.1]:${port}/`, // IPv4-compatible
  `https://[64:ff9b::7f00:1]:${port}/`, // NAT64
  "https://10.0.0.1/",
  "https://172.16.0.1/",
  "https://172.31.255.254/",
  "https://192.168.1.1/",
  "https://100.64.0.1/", // CGNAT
  "https://169.254.169.254/latest/meta-data/",
  "https://[::ffff:169.254.169.254]/",
  "https://0xa9fea9fe/", // 169.254.169.254 in hex
  "https://[fd00:ec2::254]/",
  "https://[fe80::1]/",
  "https://[fc00::1]/",
  "https://224.0.0.1/",
  "https://[ff02::1]/",
  "https://255.255.255.255/",
  "https://[::ffff:a00:1]/", // 10.0.0.1, IPv4-mapped
  `https://evil.test:${port}/`, // a name resolving to 127.0.0.1
  "https://metadata.test/",
  "https://private.test/",
  "https://mixed.test/", // one private address among public ones
  `https://v6loop.test:${port}/`,
  `https://mapped.test:${port}/`,
  "https://ula.test/",
  `http://webhook.test:${port}/`, // not https, even for an allowed host
  `https://user:pw@webhook.test:${port}/`,
  `ftp://webhook.test:${port}/`,
];

describe("HTTPS sink SSRF protection", () => {
  let server: WebhookServer;
  let sink: HttpsSink;
  const registry = new SinkRegistry().register(httpsSink);
  let openPort: SinkContext;

  beforeAll(async () => {
    server = await startWebhookServer();
    sink = new HttpsSink({
      allowedHosts: ["webhook.test"],
      allowedPorts: [server.port],
      resolver,
      ca: [server.ca],
      timeoutMs: 2_000,
    });
    openPort = {
      logger: pino({ level: "silent" }),
      env: { EVENTSTREAMS_WEBHOOK_ALLOWED_PORTS: String(server.port) },
    };
  });
  afterAll(async () => {
    await sink.close();
    await server.close();
  });

  it("has at least 30 hostile endpoints", () => {
    expect(hostile(1).length).toBeGreaterThanOrEqual(30);
  });

  it("refuses every hostile endpoint at creation or delivery, and sends nothing", async () => {
    const outcomes: Record<string, string> = {};
    for (const endpoint of hostile(server.port)) {
      const config = { httpsEndpoint: endpoint, secret: generateSecret() };
      // The server's port opened as an operator would, so that names fail on their DNS answer.
      const invalid = registry.validateConfig("https", config, openPort);
      const target = { streamId: "es_ssrf", projectId: randomUUID(), config };
      // Delivery refuses even what validation already refused: a stored config is never trusted.
      const [result] = await sink.deliver(target, [
        {
          id: randomUUID(),
          name: "IdentityCreated",
          domain: "identities",
          version: "1",
          timestamp: new Date(),
          projectId: target.projectId,
          eventAttributes: {},
        },
      ]);
      const verified = await sink.verify(target);
      outcomes[endpoint] =
        `${invalid ? "invalid" : "valid"} / ${result?.outcome}:${result && "code" in result ? result.code : ""} / verify ${verified.ok}`;
      expect({ endpoint, outcome: result?.outcome }).toEqual({ endpoint, outcome: "permanent" });
      expect(result).toMatchObject({ code: "EndpointRefused" });
      expect(verified).toMatchObject({ ok: false, code: "EndpointRefused" });
    }
    expect(server.requests).toEqual([]);
    expect(server.connections).toBe(0);
    // Literal addresses and schemes are refused at creation already; names need DNS, so delivery.
    expect(outcomes["https://169.254.169.254/latest/meta-data/"]).toMatch(/^invalid/);
    expect(outcomes[`https://evil.test:${server.port}/`]).toMatch(/^valid/);
  });

  it("delivers to the allowed host (the same server), so the refusals above are the policy's doing", async () => {
    const config = { httpsEndpoint: server.url("webhook.test"), secret: generateSecret() };
    const allowed = { logger: openPort.logger, env: { EVENTSTREAMS_WEBHOOK_ALLOWED_HOSTS: "webhook.test" } };
    expect(registry.validateConfig("https", config, allowed)).toBeUndefined();
    expect(await sink.verify({ streamId: "es_ok", projectId: randomUUID(), config })).toEqual({ ok: true });
    expect(server.requests).toHaveLength(1);
  });

  it("explains a refusal in words at validation", () => {
    const error = registry.validateConfig("https", {
      httpsEndpoint: "https://[::ffff:169.254.169.254]/",
      secret: generateSecret(),
    });
    expect(error).toEqual({
      field: "httpsEndpoint",
      message: "host ::ffff:a9fe:a9fe is a link-local address (cloud metadata lives there)",
    });
    expect(
      registry.validateConfig("https", { httpsEndpoint: "https://[::1]/", secret: generateSecret() }),
    ).toEqual({ field: "httpsEndpoint", message: "host ::1 is a loopback address" });
  });

  it("allows only port 443 unless the operator opens others", () => {
    const config = { httpsEndpoint: "https://hooks.example.com:8443/in", secret: generateSecret() };
    expect(registry.validateConfig("https", config)).toEqual({
      field: "httpsEndpoint",
      message: "must use port 443 (this one uses 8443)",
    });
    const opened = { logger: openPort.logger, env: { EVENTSTREAMS_WEBHOOK_ALLOWED_PORTS: "8443" } };
    expect(registry.validateConfig("https", config, opened)).toBeUndefined();
    expect(
      registry.validateConfig("https", { ...config, httpsEndpoint: "https://hooks.example.com/in" }),
    ).toBe(undefined);
  });

  it("never tells what a name resolves to, nor what the socket said", async () => {
    const config = { httpsEndpoint: "https://evil.test/", secret: generateSecret() };
    const verified = await sink.verify({ streamId: "es_quiet", projectId: randomUUID(), config });
    expect(JSON.stringify(verified)).not.toMatch(/127\.0\.0\.1|10\.\d+\.\d+\.\d+|::1/);
    expect(verified).toMatchObject({ ok: false, code: "EndpointRefused" });
  });
});
