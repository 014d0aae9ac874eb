import { apiClientSettings } from "../../src/settings/api-settings";

/** Where the CLI finds the API: flags first, then EVENTSTREAMS_API_URL / EVENTSTREAMS_API_TOKEN. */
export interface ApiClientOptions {
  apiUrl?: string;
  token?: string;
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string | null; hint?: string | null };
}

/** A thin HTTP client of the event streams API; an API error becomes an Error with the API's words. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(options: ApiClientOptions, env: NodeJS.ProcessEnv = process.env) {
    const settings = apiClientSettings(env, options);
    this.baseUrl = settings.apiUrl.replace(/\/+$/, "");
    this.token = settings.token;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    if (!this.token) throw new Error("no API token: pass --token or set EVENTSTREAMS_API_TOKEN");
    const headers: Record<string, string> = { ...extraHeaders, authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
      throw new Error(`cannot reach the event streams API at ${this.baseUrl} (${cause}): check --api-url`);
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) throw new Error(describeError(response.status, parsed as ErrorBody | undefined));
    return parsed as T;
  }
}

function describeError(status: number, body: ErrorBody | undefined): string {
  const error = body?.error;
  if (!error?.message) return `the API answered ${status}`;
  return error.hint ? `${error.message}\nhint: ${error.hint}` : error.message;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
