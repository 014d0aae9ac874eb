import { Partitioners, type PartitionMetadata } from "kafkajs";

const partitioner = Partitioners.DefaultPartitioner();

/**
 * The partition a keyed record goes to, as every producer of ours chooses it (kafkajs's
 * Java-compatible default, which KeyCachingPartitioner only remembers): where a project's events,
 * or a stream's log records, are.
 */
export function partitionForKey(topic: string, partitionMetadata: PartitionMetadata[], key: string): number {
  return partitioner({ topic, partitionMetadata, message: { key, value: null } });
}
