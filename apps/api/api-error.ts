/** An error a client caused and can act on: its status, a stable code, a message naming the field. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    /** Extra members of the error body, e.g. a verification hint. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  toBody(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, field: this.field, ...this.details } };
  }
}

export const invalid = (field: string, message: string) =>
  new ApiError(400, "invalid_request", `${field} ${message}`, field);

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} was not found`);
