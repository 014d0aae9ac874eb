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

/** Text that encodes to itself: RFC 3986's unreserved characters only (most names and ids). */
const UNRESERVED_ONLY = /^[A-Za-z0-9._~-]*$/;
const RESERVED = /[!'()*]/;
const RESERVED_ALL = /[!'()*]/g;

function strictEncode(text: string): string {
  // Most parameters (the member names, ids, attribute names and types) need no encoding at all.
  if (UNRESERVED_ONLY.test(text)) return text;
  const encoded = encodeURIComponent(text);
  return RESERVED.test(text)
    ? encoded.replace(RESERVED_ALL, (c) => `%${(c.charCodeAt(0) as number).toString(16).toUpperCase()}`)
    : encoded;
}
