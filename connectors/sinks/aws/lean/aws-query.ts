/**
 * The AWS Query protocol's request body (SNS is one of its services): form-encoded `name=value`
 * pairs joined by `&`, names and values percent-encoded as RFC 3986 wants, which is
 * encodeURIComponent plus `!'()*` (what the SDK's own serializer does too).
 */
export function encodeQuery(params: readonly (readonly [string, string])[]): string {
  let body = "";
  for (const [name, value] of params) {
    if (body.length > 0) body += "&";
    body += `${strictEncode(name)}=${strictEncode(value)}`;
  }
  return body;
}

const RESERVED = /[!'()*]/g;

function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(
    RESERVED,
    (c) => `%${(c.charCodeAt(0) as number).toString(16).toUpperCase()}`,
  );
}
