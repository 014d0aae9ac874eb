import type { DeliveryResult } from "../sink";

/** Errors that mean the customer's set-up is wrong: they may fix it, so retry slowly and say so. */
const MISCONFIGURATION = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "AuthorizationError",
  "AuthorizationErrorException",
  "NotFound",
  "NotFoundException",
  "InvalidParameter",
  "InvalidParameterException",
  "InvalidParameterValue",
  "InvalidClientTokenId",
  "KMSAccessDenied",
  "KMSDisabled",
  "KMSNotFound",
  "KMSInvalidState",
  "NoSuchEntity",
  "RegionDisabledException",
]);

interface AwsError {
  name?: string;
  Code?: string;
  message?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
}

/** Maps an error thrown by an AWS SDK call (or a network failure) to a delivery result. */
export function classifyAwsError(error: unknown, context: string): DeliveryResult {
  const e = (error ?? {}) as AwsError;
  const code = e.Code ?? e.name ?? "Error";
  const message = `${context}: ${e.message ?? String(error)}`;
  if (MISCONFIGURATION.has(code)) return { outcome: "retryable", code, message, misconfiguration: true };
  // Throttling, 5xx, timeouts and connection errors: all transient.
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
  };
}

/** The per-entry answer of SNS PublishBatch and SQS SendMessageBatch (entry Id = event index). */
export interface BatchEntryOutput {
  Successful?: { Id?: string }[];
  Failed?: { Id?: string; Code?: string; Message?: string; SenderFault?: boolean }[];
}

/** Records each entry's outcome in `results`; an entry the service did not mention is retried. */
export function recordBatchResults(
  operation: string,
  indexes: readonly number[],
  output: BatchEntryOutput,
  results: DeliveryResult[],
): void {
  for (const ok of output.Successful ?? []) results[Number(ok.Id)] = { outcome: "delivered" };
  for (const failed of output.Failed ?? []) {
    results[Number(failed.Id)] = classifyFailedEntry(
      operation,
      failed.Code,
      failed.Message,
      failed.SenderFault,
    );
  }
  for (const index of indexes) {
    results[index] ??= {
      outcome: "retryable",
      code: "MissingResult",
      message: `${operation} did not report this entry`,
    };
  }
}
