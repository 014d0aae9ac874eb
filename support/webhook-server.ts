import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When the request was received (ms since the epoch). */
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Never answer (to test timeouts). */
  hang?: boolean;
  /** Answer by hand instead (hostile receivers: trickled bytes, endless bodies, resets). */
  act?: (res: ServerResponse) => void;
}

export interface WebhookServer {
  port: number;
  /** PEM of the self-signed certificate: the sink trusts it as an extra CA. */
  ca: string;
  requests: ReceivedRequest[];
  /** False stops filling `requests` (a long benchmark keeps what it needs itself). */
  keepRequests: boolean;
  /** TCP connections accepted so far (keep-alive shows as fewer connections than requests). */
  connections: number;
  /** How to answer a request; 204 unless replaced. */
  reply: (request: ReceivedRequest) => Reply;
  url(host: string, path?: string): string;
  close(): Promise<void>;
}

/**
 * A real HTTPS receiver on 127.0.0.1 with a certificate for webhook.test, localhost and 127.0.0.1.
 * Its certificate is its own CA, named by `commonName`: receivers whose CAs one client trusts
 * together need different names, or the client finds the other's CA by name and refuses.
 */
export async function startWebhookServer(commonName = "webhook.test"): Promise<WebhookServer> {
  const pems = await generate([{ name: "commonName", value: commonName }], {
    keySize: 2048,
    extensions: [
      { name: "basicConstraints", cA: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "webhook.test" },
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  const hanging = new Set<() => void>();
  const state: WebhookServer = {
    port: 0,
    ca: pems.cert,
    requests: [],
    keepRequests: true,
    connections: 0,
    reply: () => ({ status: 204 }),
    url: (host, path = "/hooks") => `https://${host}:${state.port}${path}`,
    close: async () => {
      for (const release of hanging) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      };
      if (state.keepRequests) state.requests.push(received);
      const reply = state.reply(received);
      if (reply.act) {
        hanging.add(() => res.destroy());
        reply.act(res);
        return;
      }
      if (reply.hang) {
        hanging.add(() => res.destroy());
        return;
      }
      res.writeHead(reply.status, reply.headers).end();
    });
  });
  server.on("secureConnection", () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}

/**
 * The environment under which the HTTPS sink trusts this receiver: its host allowed past the SSRF
 * guard, and its self-signed certificate (written to a file) as an extra CA.
 */
export function trustedReceiverEnv(server: WebhookServer, ...otherCas: string[]): Record<string, string> {
  const caFile = join(tmpdir(), `webhook-ca-${randomUUID().slice(0, 8)}.pem`);
  writeFileSync(caFile, [server.ca, ...otherCas].join("\n"));
  return { EVENTSTREAMS_WEBHOOK_ALLOWED_HOSTS: "127.0.0.1", EVENTSTREAMS_WEBHOOK_CA_FILE: caFile };
}
