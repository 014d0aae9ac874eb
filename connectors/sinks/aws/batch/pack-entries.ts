import type { AwsBatchLimits } from "./aws-batch-service";

export interface Packable {
  bytes: number;
}

/**
 * The one packer of the AWS sinks: greedy, in order, into calls of at most `maxEntries` entries
 * and `maxBatchBytes` bytes. Entries over `maxEntryBytes` are set apart, never sent.
 */
export function packEntries<T extends Packable>(
  items: readonly T[],
  limits: AwsBatchLimits,
): { batches: T[][]; oversized: T[] } {
  const batches: T[][] = [];
  const oversized: T[] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (item.bytes > limits.maxEntryBytes || item.bytes > limits.maxBatchBytes) {
      oversized.push(item);
      continue;
    }
    if (
      current.length === limits.maxEntries ||
      (current.length > 0 && bytes + item.bytes > limits.maxBatchBytes)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}
