import type { PublishBatchCommandOutput } from "@aws-sdk/client-sns";
import { XMLParser } from "fast-xml-parser";
import { AwsErrorAnswer } from "../aws/lean/json-answer";
import type { AwsAnswer } from "../aws/lean/signed-requests";

type PublishBatchOutput = Pick<PublishBatchCommandOutput, "Successful" | "Failed">;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === "member",
});

type Node = Record<string, unknown> | undefined;
const text = (value: unknown) =>
  typeof value === "string" ? value : value === undefined ? "" : String(value);

/**
 * Reads SNS's XML answer to PublishBatch (the AWS Query protocol's), with a maintained XML parser:
 * `PublishBatchResponse/PublishBatchResult/{Successful,Failed}/member` as the SDK returns it, or
 * `ErrorResponse/Error` thrown as the SDK throws it. A body that is neither is an error of its
 * own (`MalformedResponse`, `ServiceUnavailable` on a 5xx), never a success.
 */
export function readPublishBatchAnswer({ status, body }: AwsAnswer): PublishBatchOutput {
  let doc: Node;
  try {
    doc = parser.parse(body) as Node;
  } catch {
    doc = undefined;
  }
  const response = doc?.PublishBatchResponse as Node | "";
  // A 2xx PublishBatchResponse without its result is read as the SDK reads it: no entry reported.
  if (status >= 200 && status < 300 && response !== undefined) {
    const result = (response || undefined)?.PublishBatchResult as Node;
    const members = (list: unknown) =>
      (((list as Node)?.member as Node[] | undefined) ?? []).filter(Boolean) as Record<string, unknown>[];
    return {
      Successful: members(result?.Successful).map((m) => ({ Id: text(m.Id), MessageId: text(m.MessageId) })),
      Failed: members(result?.Failed).map((m) => ({
        Id: text(m.Id),
        Code: text(m.Code),
        Message: text(m.Message),
        SenderFault: text(m.SenderFault) === "true",
      })),
    };
  }
  const error =
    ((doc?.ErrorResponse as Node)?.Error as Node) ??
    (((doc?.Response as Node)?.Errors as Node)?.Error as Node);
  if (error?.Code) throw new AwsErrorAnswer(status, text(error.Code), text(error.Message));
  throw new AwsErrorAnswer(
    status,
    status >= 500 ? "ServiceUnavailable" : "MalformedResponse",
    `SNS answered ${status} with a body that is not a PublishBatch answer`,
  );
}
