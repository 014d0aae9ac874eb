import { gunzipSync, gzipSync } from "node:zlib";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { useFastGzip, useInlineGunzip } from "./gzip-codec";

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
const gzipCodec = () =>
  (CompressionCodecs as Record<number, () => Codec>)[CompressionTypes.GZIP]?.() as Codec;

/** Inflates with the current codec; `turned` tells whether the event loop turned meanwhile. */
async function inflateCountingTurns(compressed: Buffer): Promise<{ inflated: Buffer; turned: boolean }> {
  let turned = false;
  setImmediate(() => {
    turned = true;
  });
  const inflated = await gzipCodec().decompress(compressed);
  return { inflated, turned };
}

describe("kafkajs gzip codec changes", () => {
  const original = CompressionCodecs[CompressionTypes.GZIP];
  afterEach(() => {
    CompressionCodecs[CompressionTypes.GZIP] = original;
  });

  const payload = Buffer.from(
    JSON.stringify({ events: Array.from({ length: 500 }, (_, i) => `event-${i}`) }),
  );

  it("inflates a batch before the event loop turns, so a busy loop does not stall a fetch's decoding", async () => {
    useInlineGunzip();
    const { inflated, turned } = await inflateCountingTurns(gzipSync(payload));
    expect(inflated.equals(payload)).toBe(true);
    expect(turned).toBe(false);
  });

  it("keeps both changes whichever is made first, and writes gzip any reader inflates", async () => {
    useInlineGunzip();
    useFastGzip();
    const compressed = await gzipCodec().compress({ buffer: payload });
    expect(gunzipSync(compressed).equals(payload)).toBe(true);
    const { inflated, turned } = await inflateCountingTurns(compressed);
    expect(inflated.equals(payload)).toBe(true);
    expect(turned).toBe(false);
  });
});
