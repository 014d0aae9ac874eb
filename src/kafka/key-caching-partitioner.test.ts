import { randomUUID } from "node:crypto";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import { KeyCachingPartitioner } from "./key-caching-partitioner";

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    partitionErrorCode: 0,
    offlineReplicas: [],
  }));

describe("KeyCachingPartitioner", () => {
  it("places every keyed record where kafkajs's DefaultPartitioner does, also after the topic grows", () => {
    const cached = KeyCachingPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 200 }, () => randomUUID());
    for (const partitions of [6, 6, 12]) {
      for (const key of keys) {
        const args = { topic: "t", partitionMetadata: metadata(partitions), message: { key, value: null } };
        expect(cached(args)).toBe(reference(args));
      }
    }
  });

  it("leaves explicit partitions and unkeyed records to the default", () => {
    const cached = KeyCachingPartitioner();
    const partitionMetadata = metadata(6);
    expect(cached({ topic: "t", partitionMetadata, message: { key: "k", value: null, partition: 4 } })).toBe(
      4,
    );
    const unkeyed = cached({ topic: "t", partitionMetadata, message: { value: null } });
    expect(unkeyed).toBeGreaterThanOrEqual(0);
    expect(unkeyed).toBeLessThan(6);
  });
});
