import { promisify } from "node:util";
import { gzip, unzipSync } from "node:zlib";
import { CompressionCodecs, CompressionTypes } from "kafkajs";

const compress = promisify(gzip);

/**
 * zlib level for the record batches the publisher compresses. kafkajs's own gzip codec uses zlib's
 * default, 6. On our events (UUIDs, names, attributes) level 1 gives 33% of the raw size instead of
 * 31% for about 60% of the CPU, which runs in libuv's pool on the core the broker needs too.
 */
export const GZIP_LEVEL = 1;

interface GzipCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/**
 * kafkajs looks codecs up in one table for the whole process, so each change below applies to every
 * kafkajs client of the process. Both keep the format: other clients, in any language, read and
 * write ordinary gzip batches.
 */
function changeGzip(change: (codec: GzipCodec) => GzipCodec): void {
  const codecs = CompressionCodecs as Record<number, () => GzipCodec>;
  const current = codecs[CompressionTypes.GZIP];
  if (!current) throw new Error("kafkajs has no gzip codec to change");
  const changed = change(current());
  codecs[CompressionTypes.GZIP] = () => changed;
}

/** Makes kafkajs compress gzip batches at GZIP_LEVEL (the publisher). */
export function useFastGzip(): void {
  changeGzip((codec) => ({
    ...codec,
    compress: (encoder) => compress(encoder.buffer, { level: GZIP_LEVEL }),
  }));
}

/**
 * Makes kafkajs inflate gzip batches on the calling thread (the connector). kafkajs decodes a fetch
 * response's record batches one after another, and its codec inflates each in libuv's pool, so each
 * batch costs a turn of the event loop. Under a backlog a connector's loop is saturated by its
 * sinks' calls and a turn takes tens of milliseconds: one fetch of 18 partitions took 1 to 12 s to
 * decode (bench:e2e), during which the read-ahead ran dry and the sinks' calls went out part-empty
 * or not at all. Inflating on the loop costs ~2 ms for the connector's 128 KiB per partition, and
 * ~17 ms for a batch at the broker's default 1 MiB limit (our events at gzip level 1, this machine).
 */
export function useInlineGunzip(): void {
  changeGzip((codec) => ({ ...codec, decompress: async (buffer) => unzipSync(buffer) }));
}
