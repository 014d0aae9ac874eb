import type { FastifyError, FastifyInstance } from "fastify";
import { ApiError } from "./api-error";
import { toSnake } from "./fields";

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  /** Set by ajv when a property name failed `propertyNames`. */
  propertyName?: string;
}

/**
 * Every failure becomes `{ error: { code, message, field } }`. Client mistakes keep their 4xx status;
 * anything else is a 500 whose details stay in the log, never in the response.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const error = new ApiError(
      404,
      "not_found",
      `no route for ${request.method} ${request.url.split("?")[0]}`,
    );
    void reply.status(404).send(error.toBody());
  });

  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const error = toApiError(raw);
    if (error.statusCode >= 500) request.log.error({ err: raw }, "request failed");
    else request.log.info({ code: error.code, field: error.field }, error.message);
    void reply.status(error.statusCode).send(error.toBody());
  });
}

function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) return fromValidation(error.validation as ValidationIssue[], error.validationContext);
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(413, "payload_too_large", "body is larger than this API accepts", "body");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      // The JSON parser refuses prototype keys outright (they could pollute every object).
      return /prototype/i.test(error.message)
        ? new ApiError(
            400,
            "invalid_request",
            "body must not hold a __proto__ or constructor.prototype key",
            "body",
          )
        : new ApiError(400, "invalid_request", "body is not valid JSON", "body");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError(400, "invalid_request", "body is empty: send a JSON object", "body");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(415, "unsupported_media_type", "send the body as application/json", "content-type");
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new ApiError(status, status === 400 ? "invalid_request" : "request_refused", error.message);
  }
  return new ApiError(500, "internal", "the server failed to handle this request; it has been logged");
}

function fromValidation(issues: ValidationIssue[], context: string | undefined): ApiError {
  const issue = issues[0];
  if (!issue) return new ApiError(400, "invalid_request", "the request is invalid");
  const base = issue.instancePath
    .split("/")
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${toSnake(part)}`))
    .join("")
    .replace(/^\./, "");
  const join = (child: string) => (base ? `${base}.${child}` : child);
  let field = base || (context === "body" ? "body" : (context ?? "request"));
  let message = issue.message ?? "is invalid";
  if (issue.propertyName !== undefined) {
    field = issue.propertyName === "" ? join("body") : join(issue.propertyName);
    message =
      issue.propertyName === ""
        ? "has a field with an empty name"
        : "is not a valid field name: use snake_case";
  } else if (issue.keyword === "required") {
    field = join(toSnake(String(issue.params.missingProperty)));
    message = "is required";
  } else if (issue.keyword === "additionalProperties") {
    field = join(String(issue.params.additionalProperty));
    message = "is not a known field";
  } else if (issue.keyword === "enum") {
    message = `must be one of ${(issue.params.allowedValues as unknown[]).map(String).join(", ")}`;
  }
  return new ApiError(400, "invalid_request", `${field} ${message}`, field);
}
