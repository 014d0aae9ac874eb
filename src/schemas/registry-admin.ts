/**
 * The few Confluent registry endpoints the schema commands need, over plain fetch: registering and
 * setting compatibility must be explicit and idempotent, which the client library does not offer.
 */
const CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode?: number,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}

export interface LatestVersion {
  id: number;
  version: number;
  schema: string;
}

export class RegistryAdmin {
  constructor(readonly url: string) {}

  async setCompatibility(subject: string, level: string): Promise<void> {
    await this.call("PUT", `/config/${enc(subject)}`, { compatibility: level });
  }

  async compatibility(subject: string): Promise<string | undefined> {
    const body = await this.call<{ compatibilityLevel?: string }>(
      "GET",
      `/config/${enc(subject)}`,
      undefined,
      true,
    );
    return body?.compatibilityLevel;
  }

  /** Registers (or finds, when identical) the schema; returns its global id. */
  async register(subject: string, schemaText: string): Promise<number> {
    const body = await this.call<{ id: number }>("POST", `/subjects/${enc(subject)}/versions`, {
      schema: schemaText,
      schemaType: "AVRO",
    });
    return (body as { id: number }).id;
  }

  /** The id under which this exact schema is registered in the subject, or undefined. */
  async lookup(subject: string, schemaText: string): Promise<number | undefined> {
    const body = await this.call<{ id: number }>(
      "POST",
      `/subjects/${enc(subject)}`,
      { schema: schemaText, schemaType: "AVRO" },
      true,
    );
    return body?.id;
  }

  /** The latest version of a subject, or undefined when the subject does not exist yet. */
  async latest(subject: string): Promise<LatestVersion | undefined> {
    return this.call<LatestVersion>("GET", `/subjects/${enc(subject)}/versions/latest`, undefined, true);
  }

  /**
   * The subjects a schema id is registered under, or undefined when the registry does not know the
   * id. (Apicurio's compatibility API answers `/schemas/ids/{id}/versions`, not `/subjects`.)
   */
  async subjectsOf(id: number): Promise<string[] | undefined> {
    const body = await this.call<{ subject: string }[]>(
      "GET",
      `/schemas/ids/${id}/versions`,
      undefined,
      true,
    );
    return body?.map((v) => v.subject);
  }

  /** The registry's own verdict under the subject's compatibility level. */
  async isCompatible(subject: string, schemaText: string): Promise<boolean> {
    const body = await this.call<{ is_compatible: boolean }>(
      "POST",
      `/compatibility/subjects/${enc(subject)}/versions/latest`,
      { schema: schemaText, schemaType: "AVRO" },
    );
    return body?.is_compatible === true;
  }

  private async call<T>(
    method: string,
    route: string,
    body?: unknown,
    notFoundIsUndefined = false,
  ): Promise<T | undefined> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${route}`, {
        method,
        headers: { "content-type": CONTENT_TYPE, accept: CONTENT_TYPE },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new RegistryError(`schema registry at ${this.url} is unreachable: ${causeOf(error)}`, 0);
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (response.status === 404 && notFoundIsUndefined) return undefined;
    if (!response.ok) {
      const detail = typeof parsed.message === "string" ? parsed.message : text;
      throw new RegistryError(
        `schema registry ${method} ${route} answered ${response.status}: ${detail}`,
        response.status,
        typeof parsed.error_code === "number" ? parsed.error_code : undefined,
      );
    }
    return parsed as T;
  }
}

function enc(subject: string): string {
  return encodeURIComponent(subject);
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause;
  return cause?.message ?? (error as Error).message;
}
