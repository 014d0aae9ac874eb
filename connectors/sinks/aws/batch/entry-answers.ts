import type { DeliveryResult } from "../../sink";
import { classifyFailedEntry } from "../errors";
import type { EntryAnswer } from "./aws-batch-service";

/** Answers that name their entries (SNS PublishBatch, SQS SendMessageBatch): `Successful`/`Failed` by Id. */
export function answersById(
  output: {
    Successful?: { Id?: string }[];
    Failed?: { Id?: string; Code?: string; Message?: string; SenderFault?: boolean }[];
  },
  ids: readonly string[],
): EntryAnswer[] {
  const byId = new Map<string, EntryAnswer>();
  for (const ok of output.Successful ?? []) if (ok.Id !== undefined) byId.set(ok.Id, { ok: true });
  for (const failed of output.Failed ?? [])
    if (failed.Id !== undefined)
      byId.set(failed.Id, {
        ok: false,
        code: failed.Code ?? "Unknown",
        message: failed.Message,
        senderFault: failed.SenderFault,
      });
  return ids.map((id) => byId.get(id));
}

/**
 * Answers in the order of the entries sent (Firehose, Kinesis, EventBridge): an entry with an
 * error code failed, any other was delivered; a missing one is not reported.
 */
export function answersInOrder(
  entries: readonly { ErrorCode?: string; ErrorMessage?: string }[] | undefined,
  ids: readonly string[],
): EntryAnswer[] {
  return ids.map((_, i) => {
    const entry = entries?.[i];
    if (!entry) return undefined;
    return entry.ErrorCode ? { ok: false, code: entry.ErrorCode, message: entry.ErrorMessage } : { ok: true };
  });
}

/** An entry's delivery result; one the service did not mention is retried. */
export function entryResult(operation: string, answer: EntryAnswer): DeliveryResult {
  if (!answer)
    return { outcome: "retryable", code: "MissingResult", message: `${operation} did not report this entry` };
  if (answer.ok) return { outcome: "delivered" };
  return classifyFailedEntry(operation, answer.code, answer.message, answer.senderFault);
}
