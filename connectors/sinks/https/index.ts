import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext, rootCertificates } from "node:tls";
import { Agent, request } from "undici";
import { type DomainEvent, toDeliveredEvent } from "../../../src/events/domain-event";
import { envValue, listSetting, portSetting } from "../../../src/settings/parse";
import { RequestSlots } from "../request-slots";
import { type DeliveryResult, defineSink, type Sink, type SinkTarget, type VerifyResult } from "../sink";
import {
  ALLOWED_HOSTS_ENV,
  ALLOWED_PORTS_ENV,
  EndpointPolicy,
  EndpointRefusedError,
  type Resolver,
} from "./address-policy";
import { classifyError, classifyStatus } from "./classify";
import { type HttpsConfig, httpsConfigSchema, httpsSecrets, signingSecrets } from "./config";
import { AUTH_SECRET_FIELDS, destinationHeaders, reservedHeader } from "./destination-auth";
import { signatureHeader } from "./signature";

export { ALLOWED_HOSTS_ENV, ALLOWED_PORTS_ENV, EndpointPolicy, EndpointRefusedError } from "./address-policy";
export type { HttpsConfig } from "./config";
export { verifyWebhook, WebhookVerificationError } from "./signature";

/** PEM file of extra CA certificates to trust besides the system's (self-signed receivers in tests). */
export const CA_FILE_ENV = "EVENTSTREAMS_WEBHOOK_CA_FILE";
const MAX_EVENTS_PER_CALL = 50;
/** Requests in flight within one call (unbatched streams send one request per event). */
const REQUESTS_PER_CALL = 8;
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Requests in flight at once for all the streams a process serves. Each holds a socket for at
 * most the request timeout (10 s), and its response body is read up to 64 KiB, whatever the
 * destination sends.
 */
const MAX_REQUESTS = 256;

export interface HttpsSinkOptions {
  /** Hosts exempt from the address and port checks (local development, tests). */
  allowedHosts?: readonly string[];
  /** Ports besides 443 that any host may use (an operator's choice). */
  allowedPorts?: readonly number[];
  /** How names are resolved; the default is the system resolver. */
  resolver?: Resolver;
  /** Extra CA certificates (PEM), trusted in addition to the system roots; TLS is always verified. */
  ca?: readonly string[];
  connectTimeoutMs?: number;
  /** The whole request, from sending to the end of the response. */
  timeoutMs?: number;
  /** Requests in flight per `deliver` call (a stream has one call at a time). */
  concurrency?: number;
  /** Requests in flight for all streams together. */
  maxRequests?: number;
}

/** The sink's own settings, from the environment of the process that runs it (SinkContext.env). */
export function httpsOptionsFromEnv(env: NodeJS.ProcessEnv): HttpsSinkOptions {
  const caFile = envValue(env, CA_FILE_ENV);
  return {
    ...policyOptionsFromEnv(env),
    ca: caFile ? [readFileSync(caFile, "utf8")] : undefined,
  };
}

function policyOptionsFromEnv(env: NodeJS.ProcessEnv): { allowedHosts: string[]; allowedPorts: number[] } {
  return {
    allowedHosts: listSetting(envValue(env, ALLOWED_HOSTS_ENV) ?? ""),
    allowedPorts: listSetting(envValue(env, ALLOWED_PORTS_ENV) ?? "").map((port) =>
      portSetting(ALLOWED_PORTS_ENV, port),
    ),
  };
}

/** HTTPS webhooks, signed per Standard Webhooks, to public endpoints only. */
export const httpsSink = defineSink<HttpsConfig>({
  type: "https",
  description: "POST signed JSON events to an HTTPS endpoint (Standard Webhooks)",
  configSchema: httpsConfigSchema,
  validate(config, context) {
    try {
      // The API's own environment decides which hosts are open; DNS is checked by verify and on
      // every connection.
      new EndpointPolicy(policyOptionsFromEnv(context?.env ?? {})).checkUrl(config.httpsEndpoint);
      return reservedHeader(config.auth, config.headers);
    } catch (error) {
      if (error instanceof EndpointRefusedError) return { field: "httpsEndpoint", message: error.message };
      throw error;
    }
  },
  limits: {
    maxEvents: MAX_EVENTS_PER_CALL,
    // Every request of a full call timing out, in rounds of REQUESTS_PER_CALL, and a little more.
    callTimeoutMs: Math.ceil(MAX_EVENTS_PER_CALL / REQUESTS_PER_CALL) * REQUEST_TIMEOUT_MS + 5_000,
  },
  secrets: httpsSecrets,
  secretFields: AUTH_SECRET_FIELDS,
  create: (context) => new HttpsSink(httpsOptionsFromEnv(context.env)),
});

export class HttpsSink implements Sink<HttpsConfig> {
  private readonly policy: EndpointPolicy;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly slots: RequestSlots;

  constructor(options: HttpsSinkOptions = {}) {
    this.policy = new EndpointPolicy(options);
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.concurrency = options.concurrency ?? REQUESTS_PER_CALL;
    this.slots = new RequestSlots(options.maxRequests ?? MAX_REQUESTS);
    // One agent: undici keeps a keep-alive pool per origin. Every new connection resolves its
    // host through the policy's lookup, so a DNS answer that changed since creation is caught.
    this.agent = new Agent({
      connect: {
        lookup: this.policy.lookup as never,
        timeout: options.connectTimeoutMs ?? 10_000,
        // One context for every connection. Without it each new connection built its own, and with
        // an extra CA that meant parsing every root certificate again: 5.3 ms of CPU a connection
        // (0.15 ms without), which a destination that resets every connection made us spend.
        secureContext: createSecureContext(options.ca ? { ca: [...rootCertificates, ...options.ca] } : {}),
      },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 30_000,
      // Per origin: a busy stream has several calls in flight, each with REQUESTS_PER_CALL requests.
      connections: 64,
      allowH2: true,
    });
  }

  async verify(target: SinkTarget<HttpsConfig>): Promise<VerifyResult> {
    const event: DomainEvent = {
      id: randomUUID(),
      name: "EventStreamVerification",
      domain: "identities",
      version: "1",
      timestamp: new Date(),
      projectId: target.projectId,
      eventAttributes: { streamId: target.streamId },
    };
    const result = await this.post(target, event.id, JSON.stringify(toDeliveredEvent(event)));
    if (result.outcome === "delivered") return { ok: true };
    return {
      ok: false,
      code: result.code,
      message: `${target.config.httpsEndpoint}: ${result.message}`,
      hint:
        result.code === "EndpointRefused"
          ? "webhooks go to https:// endpoints on public addresses only"
          : "the endpoint must answer a signed POST of an EventStreamVerification event with a 2xx status",
    };
  }

  async deliver(target: SinkTarget<HttpsConfig>, events: readonly DomainEvent[]): Promise<DeliveryResult[]> {
    const results: DeliveryResult[] = new Array(events.length);
    const size = target.config.batchSize;
    // Batched mode: one array per request; otherwise one event per request.
    const groups: number[][] = [];
    for (let i = 0; i < events.length; i += size ?? 1) {
      groups.push(Array.from({ length: Math.min(size ?? 1, events.length - i) }, (_, k) => i + k));
    }
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const group = groups[next++] as number[];
        const batch = group.map((i) => events[i] as DomainEvent);
        const body = size
          ? JSON.stringify(batch.map(toDeliveredEvent))
          : JSON.stringify(toDeliveredEvent(batch[0] as DomainEvent));
        // A batch's id must be stable across retries of the same events: derive it from them.
        const id = size ? `batch_${batch[0]?.id}_${batch.length}` : (batch[0] as DomainEvent).id;
        const result = await this.slots.run(() => this.post(target, id, body));
        for (const i of group) results[i] = result;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, groups.length) }, worker));
    return results;
  }

  private async post(target: SinkTarget<HttpsConfig>, id: string, body: string): Promise<DeliveryResult> {
    try {
      const url = this.policy.checkUrl(target.config.httpsEndpoint);
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await request(url, {
        method: "POST",
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          ...destinationHeaders(target.config.auth, target.config.headers),
          "content-type": "application/json",
          "user-agent": "eventstreams-webhooks/1",
          "webhook-id": id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signatureHeader(signingSecrets(target.config), id, timestamp, body),
        },
        body,
      });
      // Drain the body so the connection goes back to the pool.
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      const retryAfter = response.headers["retry-after"];
      return classifyStatus(response.statusCode, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    } catch (error) {
      return classifyError(error);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
