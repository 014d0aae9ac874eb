import { XMLParser } from "fast-xml-parser";

/** What SNS answered a PublishBatch: per-entry results, or an error for the whole request. */
export type PublishBatchAnswer =
  | {
      ok: true;
      successful: { id: string; messageId: string }[];
      failed: { id: string; code: string; message: string; senderFault: boolean }[];
    }
  | { ok: false; status: number; code: string; message: string };

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
 * `PublishBatchResponse/PublishBatchResult/{Successful,Failed}/member`, or `ErrorResponse/Error`.
 * A body that is neither is an error of its own (`MalformedResponse`), never a success.
 */
export function readPublishBatchAnswer(status: number, body: string): PublishBatchAnswer {
  let doc: Node;
  try {
    doc = parser.parse(body) as Node;
  } catch {
    doc = undefined;
  }
  const result = (doc?.PublishBatchResponse as Node)?.PublishBatchResult as Node;
  if (status >= 200 && status < 300 && result) {
    const members = (list: unknown) =>
      (((list as Node)?.member as Node[] | undefined) ?? []).filter(Boolean) as Record<string, unknown>[];
    return {
      ok: true,
      successful: members(result.Successful).map((m) => ({ id: text(m.Id), messageId: text(m.MessageId) })),
      failed: members(result.Failed).map((m) => ({
        id: text(m.Id),
        code: text(m.Code),
        message: text(m.Message),
        senderFault: text(m.SenderFault) === "true",
      })),
    };
  }
  const error =
    ((doc?.ErrorResponse as Node)?.Error as Node) ??
    (((doc?.Response as Node)?.Errors as Node)?.Error as Node);
  if (error) return { ok: false, status, code: text(error.Code), message: text(error.Message) };
  return {
    ok: false,
    status,
    code: status >= 500 ? "ServiceUnavailable" : "MalformedResponse",
    message: `SNS answered ${status} with a body that is not a PublishBatch answer`,
  };
}
