import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";

/**
 * An HTTP proxy on loopback that holds every request `delayMs` before passing it on to `target`
 * (the AWS emulator), as a region's round trip would, and counts how many it holds at once per
 * key (the request's TopicArn, QueueUrl...): a stream's calls in flight, seen from the network.
 */
export interface DelayingProxy {
  url: string;
  /** The most requests for `key` in flight at once so far. */
  mostInFlight(key: string): number;
  close(): Promise<void>;
}

export async function startDelayingProxy(target: string, delayMs: number): Promise<DelayingProxy> {
  const inFlight = new Map<string, number>();
  const most = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const key = new URLSearchParams(body.toString()).get("TopicArn") ?? "";
      const now = (inFlight.get(key) ?? 0) + 1;
      inFlight.set(key, now);
      most.set(key, Math.max(most.get(key) ?? 0, now));
      try {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        const answer = await request(`${target}${req.url ?? "/"}`, {
          method: req.method as "POST",
          headers: forwarded(req.headers),
          body,
        });
        const payload = Buffer.from(await answer.body.arrayBuffer());
        res.writeHead(answer.statusCode, {
          "content-type": String(answer.headers["content-type"] ?? "text/xml"),
        });
        res.end(payload);
      } catch (error) {
        res.writeHead(502).end(String(error));
      } finally {
        inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mostInFlight: (key) => most.get(key) ?? 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The request's headers, minus hop-by-hop ones and its host (the emulator does not check signatures). */
function forwarded(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      value === undefined ||
      ["host", "connection", "keep-alive", "transfer-encoding", "content-length"].includes(name)
    )
      continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
