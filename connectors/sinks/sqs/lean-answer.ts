import type { SendMessageBatchCommandOutput } from "@aws-sdk/client-sqs";
import { jsonErrorAnswer, parseJsonAnswer } from "../aws/lean/json-answer";
import type { AwsAnswer } from "../aws/lean/signed-requests";

type SendMessageBatchOutput = Pick<SendMessageBatchCommandOutput, "Successful" | "Failed">;

/**
 * Reads SQS's AWS JSON answer to SendMessageBatch: `{Successful, Failed}` on 200; otherwise the
 * error the SDK would throw, its code from the query-compatible header (`x-amzn-query-error`).
 */
export function readSendMessageBatchAnswer({ status, headers, body }: AwsAnswer): SendMessageBatchOutput {
  const parsed = parseJsonAnswer(body);
  // A 2xx JSON object without the lists is read as the SDK reads it: no entry reported.
  if (status >= 200 && status < 300 && parsed) {
    return {
      Successful: Array.isArray(parsed.Successful)
        ? (parsed.Successful as SendMessageBatchOutput["Successful"])
        : [],
      Failed: Array.isArray(parsed.Failed) ? (parsed.Failed as SendMessageBatchOutput["Failed"]) : [],
    };
  }
  throw jsonErrorAnswer("SQS", "SendMessageBatch", status, parsed, headers["x-amzn-query-error"]);
}
