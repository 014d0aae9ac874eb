import { kafkaClusterId } from "./kafka";

describe("the native stack's Kafka cluster id", () => {
  it("is a UUID in unpadded URL-safe base64 that never starts with '-' (kafka-storage would read it as an option)", () => {
    // One id in 64 would start with "-" if drawn blindly: 2,000 draws all but surely meet one.
    const ids = Array.from({ length: 2_000 }, kafkaClusterId);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, "base64url")).toHaveLength(16);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
