import { type ICustomPartitioner, Partitioners } from "kafkajs";

/** Keys remembered per topic before the memory starts over; projects are far fewer in practice. */
const MAX_KEYS_PER_TOPIC = 50_000;

/**
 * kafkajs's DefaultPartitioner (the Java client's murmur2 of the key, so other clients agree on
 * where a project's events go), remembered per key. For a keyed record the default's answer
 * depends only on the key and the topic's partition count, but it recomputes murmur2 with 64-bit
 * `Long` objects for every record: about a quarter of kafkajs's CPU in bench/producer. Records
 * without a string key, or with an explicit partition, go to the default unchanged.
 */
export const KeyCachingPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  const topics = new Map<string, { partitions: number; byKey: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    const key = message.key;
    if (typeof key !== "string" || message.partition != null) return fallback(args);
    let cache = topics.get(topic);
    // A topic that gained partitions maps keys anew, exactly as the default would.
    if (!cache || cache.partitions !== partitionMetadata.length || cache.byKey.size >= MAX_KEYS_PER_TOPIC) {
      cache = { partitions: partitionMetadata.length, byKey: new Map() };
      topics.set(topic, cache);
    }
    let partition = cache.byKey.get(key);
    if (partition === undefined) {
      partition = fallback(args);
      cache.byKey.set(key, partition);
    }
    return partition;
  };
};
