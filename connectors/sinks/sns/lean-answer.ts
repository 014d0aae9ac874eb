import type { PublishBatchCommandOutput } from "@aws-sdk/client-sns";
import { SaxesParser } from "saxes";
import { AwsErrorAnswer } from "../aws/lean/aws-error-answer";
import type { AwsAnswer } from "../aws/lean/signed-requests";

type PublishBatchOutput = Pick<PublishBatchCommandOutput, "Successful" | "Failed">;

/** What an SNS answer holds, as the elements it was read from name it. */
interface SnsAnswer {
  /** The document element: `PublishBatchResponse`, `ErrorResponse`... */
  root?: string;
  successful: Record<string, string>[];
  failed: Record<string, string>[];
  error?: Record<string, string>;
}

/**
 * Reads SNS's XML answer to PublishBatch (the AWS Query protocol's) with a maintained, conformant
 * streaming parser (saxes; a fraction of the CPU of building a tree): `PublishBatchResponse/
 * PublishBatchResult/{Successful,Failed}/member` as the SDK returns it, or `ErrorResponse/Error`
 * thrown as the SDK throws it. A body that is neither is an error of its own (`MalformedResponse`,
 * `ServiceUnavailable` on a 5xx), never a success.
 */
export function readPublishBatchAnswer({ status, body }: AwsAnswer): PublishBatchOutput {
  const answer = readSnsXml(body);
  // A 2xx PublishBatchResponse without its result is read as the SDK reads it: no entry reported.
  if (status >= 200 && status < 300 && answer?.root === "PublishBatchResponse") {
    return {
      Successful: answer.successful.map((m) => ({ Id: m.Id ?? "", MessageId: m.MessageId ?? "" })),
      Failed: answer.failed.map((m) => ({
        Id: m.Id ?? "",
        Code: m.Code ?? "",
        Message: m.Message ?? "",
        SenderFault: m.SenderFault === "true",
      })),
    };
  }
  if (answer?.error?.Code) throw new AwsErrorAnswer(status, answer.error.Code, answer.error.Message ?? "");
  throw new AwsErrorAnswer(
    status,
    status >= 500 ? "ServiceUnavailable" : "MalformedResponse",
    `SNS answered ${status} with a body that is not a PublishBatch answer`,
  );
}

/** The members and the error of an SNS answer, or undefined when the body is not well-formed XML. */
function readSnsXml(body: string): SnsAnswer | undefined {
  const answer: SnsAnswer = { successful: [], failed: [] };
  const path: string[] = [];
  /** The record the text of the element open now goes to, and under which name. */
  let record: Record<string, string> | undefined;
  const parser = new SaxesParser();
  parser.on("opentag", ({ name }) => {
    path.push(name);
    if (path.length === 1) answer.root = name;
    const parent = path[path.length - 2];
    if (name === "member" && path[path.length - 3] === "PublishBatchResult") {
      record = {};
      (parent === "Successful" ? answer.successful : parent === "Failed" ? answer.failed : []).push(record);
    } else if (name === "Error" && (parent === "ErrorResponse" || parent === "Errors")) {
      answer.error = {};
      record = answer.error;
    }
  });
  parser.on("text", (text) => {
    const field = path[path.length - 1];
    const owner = path[path.length - 2];
    if (record && field && (owner === "member" || owner === "Error"))
      record[field] = (record[field] ?? "") + text;
  });
  parser.on("closetag", ({ name }) => {
    path.pop();
    if (name === "member" || name === "Error") record = undefined;
  });
  try {
    parser.write(body).close();
    return answer;
  } catch {
    return undefined;
  }
}
