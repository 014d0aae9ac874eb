import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { type RunningApi, startApi } from "../../apps/api/api";
import type { SinkRegistry } from "../../connectors/sinks";
import { createLogger } from "../../src/logging";
import { apiSettings } from "../../src/settings/api-settings";
import { waitFor } from "../../src/util/wait-for";
import { stackFromEnv } from "../../support/stack-env";
import { uniqueName } from "../../support/unique";

export interface TestApi extends RunningApi {
  topic: string;
  adminToken: string;
  /** Every log line the API wrote, to check what it does (not) log. */
  logs: string[];
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
}

export interface CallOptions {
  /** Bearer token; the admin token unless given (null sends none). */
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON: tests read it freely. */
  // biome-ignore lint/suspicious/noExplicitAny: a test reads any field of any response body
  body: any;
}

export const newToken = () => randomBytes(24).toString("base64url");

/** An API on a free port, with its own config topic (unless one is given, to test restarts). */
export async function startTestApi(
  options: {
    topic?: string;
    adminToken?: string;
    projectTokens?: Record<string, string>;
    maxStreamsPerProject?: number;
    sinks?: SinkRegistry;
  } = {},
): Promise<TestApi> {
  const topic = options.topic ?? uniqueName("eventstreams.config");
  const adminToken = options.adminToken ?? newToken();
  const logs: string[] = [];
  const logger = createLogger("api-test", {
    level: "debug",
    destination: new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
  const settings = {
    // The prefix and retry ladder the test set in its environment, as the connector reads them.
    ...apiSettings({}, process.env),
    port: 0,
    brokers: [stackFromEnv().kafkaBrokers],
    configTopic: topic,
    maxStreamsPerProject: options.maxStreamsPerProject ?? 5,
    tokens: {
      adminTokens: [adminToken],
      projectTokens: Object.fromEntries(
        Object.entries(options.projectTokens ?? {}).map(([project, token]) => [project, [token]]),
      ),
    },
  };
  const api = await startApi(settings, { logger, sinks: options.sinks });
  // It listens before it has read the config topic (answering 503 until then): wait until it has.
  await waitFor(async () => (await fetch(`${api.url}/readyz`)).status === 200, {
    timeoutMs: 60_000,
    intervalMs: 100,
    description: "the test API ready",
  });
  const call = async (method: string, path: string, call: CallOptions = {}): Promise<ApiResponse> => {
    const token = call.token === undefined ? adminToken : call.token;
    const headers: Record<string, string> = { ...call.headers };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = call.rawBody;
    if (call.body !== undefined) body = JSON.stringify(call.body);
    if (body !== undefined) headers["content-type"] ??= "application/json";
    const response = await fetch(`${api.url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return { ...api, topic, adminToken, logs, call };
}

export const newProject = () => randomUUID();
