import type { DeliveryResult } from "../sink";

/** Errors that mean the customer's set-up is wrong: they may fix it, so retry slowly and say so. */
const MISCONFIGURATION = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "AuthorizationError",
  "AuthorizationErrorException",
  "NotFound",
  "NotFoundException",
  "ResourceNotFoundException",
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "InvalidParameter",
  "InvalidParameterException",
  "InvalidParameterValue",
  "InvalidArgumentException",
  "ValidationException",
  "InvalidClientTokenId",
  "KMSAccessDenied",
  "KMSDisabled",
  "KMSNotFound",
  "KMSInvalidState",
  "NoSuchEntity",
  "RegionDisabledException",
]);

/**
 * Errors that mean "slow down": the service's request rate or a resource's throughput was reached
 * (Kinesis says ProvisionedThroughputExceededException). A bare 503 (ServiceUnavailable) is an outage.
 */
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "Throttled",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  // Kinesis's, for a stream's request rate.
  "LimitExceededException",
  "SlowDown",
  // Firehose's, for a call or a record over the delivery stream's throughput.
  "ServiceUnavailableException",
]);

interface AwsError {
  name?: string;
  Code?: string;
  message?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
  $response?: unknown;
}

/**
 * The code of an answer the SDK could not read as the service's (an HTML page from a proxy, a
 * truncated body): it throws `Unknown`, `SyntaxError` or a bare Error with the raw response
 * attached. Named as the lean transport names the same answer, so both give one result.
 */
function unreadableAnswerCode(e: AwsError): string | undefined {
  const unreadable =
    e.Code === undefined &&
    e.$response !== undefined &&
    (e.name === "Unknown" || e.name === "UnknownError" || /Deserialization error/.test(e.message ?? ""));
  if (!unreadable) return undefined;
  return (e.$metadata?.httpStatusCode ?? 0) >= 500 ? "ServiceUnavailable" : "MalformedResponse";
}

/** Maps an error thrown by an AWS SDK call (or a network failure) to a delivery result. */
export function classifyAwsError(error: unknown, context: string): DeliveryResult {
  const e = (error ?? {}) as AwsError;
  const code = unreadableAnswerCode(e) ?? e.Code ?? e.name ?? "Error";
  const message = `${context}: ${e.message ?? String(error)}`;
  if (MISCONFIGURATION.has(code)) return { outcome: "retryable", code, message, misconfiguration: true };
  if (THROTTLING.has(code) || e.$metadata?.httpStatusCode === 429)
    return { outcome: "retryable", code, message, throttled: true };
  // 5xx, timeouts and connection errors: transient.
  return { outcome: "retryable", code, message };
}

/** A batch entry (PublishBatch, SendMessageBatch...) that failed while others in the same call succeeded. */
export function classifyFailedEntry(
  operation: string,
  code: string | undefined,
  message: string | undefined,
  senderFault: boolean | undefined,
): DeliveryResult {
  const c = code ?? "Unknown";
  return {
    outcome: "retryable",
    code: c,
    message: `${operation} entry failed: ${message ?? c}`,
    misconfiguration: senderFault === true || MISCONFIGURATION.has(c),
    ...(THROTTLING.has(c) ? { throttled: true } : {}),
  };
}
