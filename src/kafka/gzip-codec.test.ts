import { gunzipSync, gzipSync } from "node:zlib";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { MAX_INFLATED_BATCH_BYTES, useBoundedGzip, useFastGzip, useInlineGunzip } from "./gzip-codec";

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

  it("refuses to inflate a batch past the limit, on the loop and in the pool alike", async () => {
    // 64 MiB of one byte: about 64 KiB compressed, the shape of a decompression bomb.
    const bomb = gzipSync(Buffer.alloc(4 * MAX_INFLATED_BATCH_BYTES, 0));
    expect(bomb.length).toBeLessThan(256 * 1024);
    useBoundedGzip();
    await expect(gzipCodec().decompress(bomb)).rejects.toMatchObject({ code: "ERR_BUFFER_TOO_LARGE" });
    useInlineGunzip();
    await expect(gzipCodec().decompress(bomb)).rejects.toMatchObject({ code: "ERR_BUFFER_TOO_LARGE" });
    // A batch at the limit itself still inflates.
    const atLimit = Buffer.alloc(MAX_INFLATED_BATCH_BYTES, 1);
    expect((await gzipCodec().decompress(gzipSync(atLimit))).equals(atLimit)).toBe(true);
  });
});
