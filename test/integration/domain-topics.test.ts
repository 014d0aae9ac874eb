import { ConfigResourceTypes } from "kafkajs";
import { DEFAULT_TOPIC_SETTINGS, ensureDomainTopics } from "../../src/topics/create-topics";
import { domainOfTopic, domainTopic } from "../../src/topics/domain-topics";
import { testKafka } from "../../support/clients";
import { uniqueName } from "../../support/unique";

describe("domain topics", () => {
  it("creates the three topics idempotently with partitions, retention and min.insync.replicas", async () => {
    const prefix = uniqueName("topics");
    const admin = testKafka().admin();
    await admin.connect();
    const topics = ["identities", "oauth2", "permissions"].map((d) => `${prefix}.${d}.events`);
    try {
      const settings = { ...DEFAULT_TOPIC_SETTINGS, prefix, minInsyncReplicas: 1 };
      const first = await ensureDomainTopics(admin, settings);
      expect(first.map((o) => [o.topic, o.created, o.partitions])).toEqual(topics.map((t) => [t, true, 6]));
      const second = await ensureDomainTopics(admin, { ...settings, partitions: 2 });
      expect(second.map((o) => [o.created, o.partitions])).toEqual([
        [false, 6],
        [false, 6],
        [false, 6],
      ]);

      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: domainTopic("oauth2", prefix),
            configNames: ["retention.ms", "min.insync.replicas"],
          },
        ],
      });
      const config = Object.fromEntries(
        (resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
      );
      expect(config).toEqual({ "retention.ms": String(7 * 24 * 3600 * 1000), "min.insync.replicas": "1" });
    } finally {
      // The shared broker would otherwise keep them (and their upkeep) for every later run.
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it("maps topics to domains and back, with and without a prefix", () => {
    expect(domainTopic("identities", "")).toBe("identities.events");
    expect(domainTopic("oauth2", "staging")).toBe("staging.oauth2.events");
    expect(domainOfTopic("staging.permissions.events", "staging")).toBe("permissions");
    expect(domainOfTopic("permissions.events", "staging")).toBeUndefined();
    expect(domainOfTopic("other.events", "")).toBeUndefined();
  });
});
