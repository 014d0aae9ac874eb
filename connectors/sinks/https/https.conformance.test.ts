import { randomUUID } from "node:crypto";
import { startWebhookServer } from "../../../support/webhook-server";
import { receivedIds } from "../../../test/support/received-ids";
import { describeSinkConformance } from "../conformance";
import { HttpsSink, httpsSink } from "./index";
import { generateSecret } from "./signature";

describeSinkConformance("https", {
  definition: httpsSink,
  setUp: async () => {
    const server = await startWebhookServer();
    // Events marked `reject` are refused with 422; /down is a receiver having an outage.
    server.reply = (r) =>
      r.path === "/down" ? { status: 503 } : r.body.includes('"reject"') ? { status: 422 } : { status: 204 };
    const target = {
      streamId: `es_${randomUUID().slice(0, 8)}`,
      projectId: randomUUID(),
      config: { httpsEndpoint: server.url("127.0.0.1"), secret: generateSecret() },
    };
    let read = 0;
    return {
      sink: new HttpsSink({ allowedHosts: ["127.0.0.1"], ca: [server.ca], timeoutMs: 2_000 }),
      target,
      failingTarget: {
        ...target,
        config: { ...target.config, httpsEndpoint: server.url("127.0.0.1", "/down") },
      },
      rejectedEvent: (e) => ({ ...e, eventAttributes: { reject: "yes" } }),
      received: receivedIds(async () => {
        const fresh = server.requests.slice(read).filter((r) => r.path === "/hooks");
        read = server.requests.length;
        return fresh.map((r) => String(r.headers["webhook-id"]));
      }),
      secrets: [target.config.secret, target.config.secret.slice("whsec_".length)],
      tearDown: () => server.close(),
    };
  },
});
