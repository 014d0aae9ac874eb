import { AwsErrorAnswer } from "./aws-error-answer";

/** An AWS JSON protocol body as an object, or undefined when it is not JSON. */
export function parseJsonAnswer(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error of an AWS JSON answer that is not the operation's: its code from the query-compatible
 * header when the request asked for it, else `__type` (after its `#`); a body that has neither is
 * `MalformedResponse` (or `ServiceUnavailable` on a 5xx). Thrown where the SDK would throw.
 */
export function jsonErrorAnswer(
  service: string,
  operation: string,
  status: number,
  parsed: Record<string, unknown> | undefined,
  queryError?: string,
): AwsErrorAnswer {
  const type = typeof parsed?.__type === "string" ? (parsed.__type.split("#").pop() as string) : undefined;
  const code = queryError?.split(";")[0] ?? type;
  if (code) return new AwsErrorAnswer(status, code, String(parsed?.message ?? parsed?.Message ?? code));
  return new AwsErrorAnswer(
    status,
    status >= 500 ? "ServiceUnavailable" : "MalformedResponse",
    `${service} answered ${status} with a body that is not a ${operation} answer`,
  );
}

/**
 * The AWS JSON answer of a batch call whose entries' results are one list in the order sent
 * (Firehose `RequestResponses`, Kinesis `Records`, EventBridge `Entries`): that list on a 2xx,
 * else the error the SDK would throw.
 */
export function readJsonListAnswer<Field extends string, Entry>(
  answer: { status: number; body: string },
  names: { service: string; operation: string; list: Field },
): Record<Field, Entry[]> {
  const parsed = parseJsonAnswer(answer.body);
  // A 2xx JSON object without the list is read as the SDK reads it: no entry reported.
  if (answer.status >= 200 && answer.status < 300 && parsed) {
    const list = parsed[names.list];
    return { [names.list]: Array.isArray(list) ? list : undefined } as Record<Field, Entry[]>;
  }
  throw jsonErrorAnswer(names.service, names.operation, answer.status, parsed);
}
