import { randomUUID } from "node:crypto";
import type { Consumer } from "kafkajs";
import { createEventPublisher, type EventPublisher } from "../../producers";
import { CATALOG_ENTRIES } from "../../src/catalog/catalog";
import { helperName } from "../../src/catalog/helper-names";
import { createEventDecoder } from "../../src/codec/event-decoder";
import type { DomainEvent } from "../../src/events/domain-event";
import { createRegistry } from "../../src/schemas/avro-types";
import { domainTopic } from "../../src/topics/domain-topics";
import { waitFor } from "../../src/util/wait-for";
import { stackFromEnv } from "../../support/stack-env";
import { consumeRaw, freshDomainTopics, type RawRecord } from "../support/domain-topics-fixture";

describe("producer SDK round trip through Kafka and the registry", () => {
  const { kafkaBrokers, schemaRegistryUrl } = stackFromEnv();
  const consumers: Consumer[] = [];
  const publishers: EventPublisher[] = [];
  let prefix: string;

  beforeAll(async () => {
    prefix = await freshDomainTopics();
  });

  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.close()));
    await Promise.all(consumers.map((c) => c.disconnect()));
  });

  function publisher(): EventPublisher {
    const created = createEventPublisher({
      brokers: kafkaBrokers,
      registryUrl: schemaRegistryUrl,
      topicPrefix: prefix,
      source: "test-suite",
    });
    publishers.push(created);
    return created;
  }

  it("publishes every catalog name, keyed by projectId, and decodes it back equal to the input", async () => {
    const sdk = publisher();
    const projectId = randomUUID();
    const published: DomainEvent[] = [];
    for (const entry of CATALOG_ENTRIES) {
      const helpers = sdk[entry.domain] as unknown as Record<
        string,
        (p: string, a: Record<string, string>) => Promise<DomainEvent>
      >;
      const helper = helpers[helperName(entry.name)];
      expect(helper).toBeInstanceOf(Function);
      published.push(
        await (helper as NonNullable<typeof helper>)(projectId, {
          IdentityID: randomUUID(),
          GeoLocationCity: "Berlin",
        }),
      );
    }
    // The compiler checks helper names and event names; this line would not compile with a typo.
    published.push(await sdk.identities.identityCreated(projectId, { IdentityID: "typed" }));

    const records: RawRecord[] = [];
    consumers.push(await consumeRaw(prefix, records));
    await waitFor(() => records.length >= published.length, {
      timeoutMs: 30_000,
      description: "every published event",
    });

    const registry = createRegistry(schemaRegistryUrl);
    const decoder = createEventDecoder({ registryUrl: schemaRegistryUrl });
    const byId = new Map<string, { record: RawRecord; viaLibrary: unknown; viaDecoder: DomainEvent }>();
    for (const record of records) {
      const viaDecoder = await decoder.decode(record.value, record.topic);
      byId.set(viaDecoder.id, { record, viaLibrary: await registry.decode(record.value), viaDecoder });
    }
    expect(byId.size).toBe(published.length);
    for (const event of published) {
      const found = byId.get(event.id);
      expect(found?.viaDecoder).toEqual(event);
      expect(found?.record.key).toBe(projectId);
      expect(found?.record.topic).toBe(domainTopic(event.domain, prefix));
      expect(found?.record.value.readUInt8(0)).toBe(0); // Confluent wire format
      const { domain: _domain, ...envelope } = event;
      expect(found?.viaLibrary).toEqual(envelope);
    }
    expect(published[0]?.source).toBe("test-suite");
  });

  it("keeps each project's events in publish order, even when calls are not awaited one by one", async () => {
    const sdk = publisher();
    const projects = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const calls: Promise<DomainEvent>[] = [];
    for (let seq = 0; seq < 400; seq++) {
      const projectId = projects[seq % projects.length] as string;
      const attrs = { seq: String(seq) };
      calls.push(
        seq % 3 === 0
          ? sdk.oauth2.oauth2AccessTokenIssued(projectId, attrs)
          : sdk.publish({ name: "PermissionsChecked", projectId, eventAttributes: attrs }),
      );
    }
    const published = await Promise.all(calls);
    const ids = new Set(published.map((e) => e.id));

    const records: RawRecord[] = [];
    consumers.push(await consumeRaw(prefix, records));
    const decoder = createEventDecoder({ registryUrl: schemaRegistryUrl });
    const ours = async () => {
      const events = await Promise.all(records.map((r) => decoder.decode(r.value, r.topic)));
      return events.filter((e) => ids.has(e.id));
    };
    const received = await waitFor(
      async () => {
        const events = await ours();
        return events.length === published.length ? events : undefined;
      },
      { timeoutMs: 30_000, description: "the 400 ordered events" },
    );

    for (const projectId of projects) {
      // One topic per domain, so order holds per project within a domain topic.
      for (const domain of ["oauth2", "permissions"] as const) {
        const sent = published
          .filter((e) => e.projectId === projectId && e.domain === domain)
          .map((e) => e.id);
        const got = received.filter((e) => e.projectId === projectId && e.domain === domain).map((e) => e.id);
        expect(got).toEqual(sent);
      }
    }
  });

  it("close() with sends still pending delivers every one of them", async () => {
    const sdk = createEventPublisher({
      brokers: kafkaBrokers,
      registryUrl: schemaRegistryUrl,
      topicPrefix: prefix,
      lingerMs: 50,
    });
    const projectId = randomUUID();
    const calls = Array.from({ length: 3_000 }, (_, i) =>
      sdk.identities.sessionChecked(projectId, { seq: String(i) }),
    );
    // Nothing awaited yet: the schema lookup and the first batch are still pending.
    await sdk.close();
    const published = await Promise.all(calls);
    const ids = new Set(published.map((e) => e.id));
    await expect(sdk.identities.sessionChecked(projectId)).rejects.toThrow(/closed/);

    const records: RawRecord[] = [];
    consumers.push(await consumeRaw(prefix, records));
    const topic = domainTopic("identities", prefix);
    await waitFor(() => records.filter((r) => r.topic === topic && r.key === projectId).length >= ids.size, {
      timeoutMs: 30_000,
      description: "all 3,000 events sent before close()",
    });
    const decoder = createEventDecoder({ registryUrl: schemaRegistryUrl });
    const seen = new Set<string>();
    for (const record of records.filter((r) => r.key === projectId))
      seen.add((await decoder.decode(record.value, record.topic)).id);
    expect(seen).toEqual(ids);
  });
});
