import type { BatchEntryOutput } from "../aws/errors";
import { jsonErrorAnswer, parseJsonAnswer } from "../aws/lean/json-answer";

/**
 * Reads SQS's AWS JSON answer to SendMessageBatch: `{Successful, Failed}` on 200; otherwise the
 * error the SDK would throw, its code from the query-compatible header (`x-amzn-query-error`).
 */
export function readSendMessageBatchAnswer(
  status: number,
  body: string,
  queryError?: string,
): BatchEntryOutput {
  const parsed = parseJsonAnswer(body);
  if (status >= 200 && status < 300 && parsed && (parsed.Successful || parsed.Failed)) {
    return {
      Successful: ((parsed.Successful as { Id?: string }[] | undefined) ?? []).map((s) => ({ Id: s.Id })),
      Failed: (
        (parsed.Failed as
          | { Id?: string; Code?: string; Message?: string; SenderFault?: boolean }[]
          | undefined) ?? []
      ).map((f) => ({ Id: f.Id, Code: f.Code, Message: f.Message, SenderFault: f.SenderFault })),
    };
  }
  throw jsonErrorAnswer("SQS", "SendMessageBatch", status, parsed, queryError);
}
