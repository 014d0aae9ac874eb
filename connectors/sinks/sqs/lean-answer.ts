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
  if (status >= 200 && status < 300 && parsed && (parsed.Successful || parsed.Failed)) {
    return {
      Successful: (parsed.Successful as SendMessageBatchOutput["Successful"]) ?? [],
      Failed: (parsed.Failed as SendMessageBatchOutput["Failed"]) ?? [],
    };
  }
  throw jsonErrorAnswer("SQS", "SendMessageBatch", status, parsed, headers["x-amzn-query-error"]);
}
