import { promisify } from "node:util";
import { gzip, unzip, unzipSync } from "node:zlib";
import { CompressionCodecs, CompressionTypes } from "kafkajs";

const compress = promisify(gzip);
const inflate = promisify(unzip);

/**
 * zlib level for the record batches the publisher compresses. kafkajs's own gzip codec uses zlib's
 * default, 6. On our events (UUIDs, names, attributes) level 1 gives 33% of the raw size instead of
 * 31% for about 60% of the CPU, which runs in libuv's pool on the core the broker needs too.
 */
export const GZIP_LEVEL = 1;

/**
 * The most a gzip record batch may inflate to. A real batch is at most the broker's 1 MiB message
 * limit compressed, about 3 MiB of our events inflated; a batch of one repeated byte inflates
 * a thousandfold (a decompression bomb: 1 MiB becomes 1 GiB). Past this limit zlib stops, and our
 * kafkajs patch hands the consumer one placeholder record for the batch instead of its records
 * (see REFUSED_BATCH_HEADER), which the connector dead-letters as a reference.
 */
export const MAX_INFLATED_BATCH_BYTES = 16 * 1024 * 1024;

/** The header of the placeholder record that stands for a batch the codec refused to inflate. */
export const REFUSED_BATCH_HEADER = "kafkajs-refused-batch";
/** Its companion: the refused batch's first offset (the placeholder sits at its last). */
export const REFUSED_BATCH_FIRST_OFFSET_HEADER = "kafkajs-refused-batch-first-offset";

const how = { level: undefined as number | undefined, inline: false };

/**
 * kafkajs looks codecs up in one table for the whole process, so this one codec serves every kafkajs
 * client of the process. It keeps the format: other clients, in any language, read and write
 * ordinary gzip batches.
 */
const boundedGzip = {
  compress: (encoder: { buffer: Buffer }) =>
    compress(encoder.buffer, how.level === undefined ? {} : { level: how.level }),
  decompress: async (buffer: Buffer) =>
    how.inline
      ? unzipSync(buffer, { maxOutputLength: MAX_INFLATED_BATCH_BYTES })
      : inflate(buffer, { maxOutputLength: MAX_INFLATED_BATCH_BYTES }),
};

/** Inflates gzip batches up to MAX_INFLATED_BATCH_BYTES in this process (every kafkajs client). */
export function useBoundedGzip(): void {
  (CompressionCodecs as Record<number, () => typeof boundedGzip>)[CompressionTypes.GZIP] = () => boundedGzip;
}

/** Makes kafkajs compress gzip batches at GZIP_LEVEL (the publisher). */
export function useFastGzip(): void {
  how.level = GZIP_LEVEL;
  useBoundedGzip();
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
  how.inline = true;
  useBoundedGzip();
}

/** The batch a placeholder record stands for (see REFUSED_BATCH_HEADER), or undefined for a real record. */
export function refusedBatchOf(message: {
  offset: string;
  headers?: Record<string, unknown>;
}): { firstOffset: string; lastOffset: string; reason: string } | undefined {
  const reason = message.headers?.[REFUSED_BATCH_HEADER];
  if (reason === undefined) return undefined;
  return {
    firstOffset: String(message.headers?.[REFUSED_BATCH_FIRST_OFFSET_HEADER] ?? message.offset),
    lastOffset: message.offset,
    reason: String(reason),
  };
}
