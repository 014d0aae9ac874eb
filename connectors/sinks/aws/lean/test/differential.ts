/**
 * Helpers of the lean encoders' differential tests: a seeded generator (the same cases every run)
 * and the request an SDK client would send, captured by a handler that never sends it.
 */

/** mulberry32: a small deterministic generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text of at least `length` characters made of `pieces` (the awkward ones an encoder must get right). */
export function textOf(next: () => number, pieces: readonly string[], length: number): string {
  let out = "";
  while (out.length < length) out += pieces[Math.floor(next() * pieces.length)];
  return out;
}

export interface CapturedRequest {
  headers: Record<string, string>;
  body: string;
}

/** A request handler that records the request and fails it: pass it as an SDK client's `requestHandler`. */
export function capturingHandler(into: { last?: CapturedRequest }) {
  return {
    handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
      const body =
        request.body instanceof Uint8Array ? Buffer.from(request.body).toString() : String(request.body);
      into.last = { headers: request.headers, body };
      throw new Error("captured, not sent");
    },
  };
}

/** What an SDK client is made with in these tests: a region, fake credentials, the capturing handler. */
export function capturingClientConfig(into: { last?: CapturedRequest }) {
  return {
    region: "eu-west-1",
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    requestHandler: capturingHandler(into),
  };
}

type CapturingConfig = ReturnType<typeof capturingClientConfig>;

/**
 * The request an SDK client builds for one command, captured and never sent:
 * `sdkRequest((config) => new SNSClient(config), (client) => client.send(new PublishBatchCommand(...)))`.
 */
export async function sdkRequest<Client extends { destroy(): void }>(
  make: (config: CapturingConfig) => Client,
  send: (client: Client) => Promise<unknown>,
): Promise<CapturedRequest> {
  const captured: { last?: CapturedRequest } = {};
  const client = make(capturingClientConfig(captured));
  await send(client).catch(() => undefined);
  client.destroy();
  return captured.last ?? { headers: {}, body: "" };
}
