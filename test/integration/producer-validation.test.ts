import { randomUUID } from "node:crypto";
import type { Consumer } from "kafkajs";
import {
  createEventPublisher,
  type EventInput,
  type EventPublisher,
  EventValidationError,
  PublishError,
} from "../../producers";
import { createEventDecoder } from "../../src/codec/event-decoder";
import { waitFor } from "../../src/util/wait-for";
import { stackFromEnv } from "../../support/stack-env";
import { uniqueName } from "../../support/unique";
import { consumeRaw, freshDomainTopics, type RawRecord } from "../support/domain-topics-fixture";

describe("producer SDK refuses bad events before sending anything", () => {
  const { kafkaBrokers, schemaRegistryUrl } = stackFromEnv();
  let prefix: string;
  let sdk: EventPublisher;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    prefix = await freshDomainTopics(1);
    sdk = createEventPublisher({
      brokers: kafkaBrokers,
      registryUrl: schemaRegistryUrl,
      topicPrefix: prefix,
      maxEventBytes: 4_096,
    });
  });

  afterAll(async () => {
    await sdk.close();
    await consumer?.disconnect();
  });

  const good = (): EventInput => ({
    name: "IdentityCreated",
    projectId: randomUUID(),
    eventAttributes: { IdentityID: "i-1" },
  });
  // Plain-JavaScript callers can pass anything; the casts stand in for them.
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["an unknown name", { name: "IdentityTeleported" }, "name", /not in the event catalog/],
    [
      "a name of another domain",
      { domain: "identities", name: "OAuth2ClientCreated" },
      "name",
      /belongs to oauth2, not identities/,
    ],
    ["a projectId that is not a UUID", { projectId: "project-42" }, "projectId", /not a UUID/],
    [
      "a non-string attribute value",
      { eventAttributes: { IdentityID: "i-1", attempts: 3 } },
      "eventAttributes.attempts",
      /must be a string, got number/,
    ],
    [
      "an oversized event",
      { eventAttributes: { blob: "x".repeat(10_000) } },
      "eventAttributes.blob",
      /over the limit of 4096/,
    ],
    ["a malformed traceparent", { traceparent: "not-a-trace" }, "traceparent", /W3C traceparent/],
  ];

  it.each(cases)(
    "rejects %s with a typed error naming the field, and sends none of the batch",
    async (_case, patch, field, reason) => {
      const batch = [good(), good(), { ...good(), ...patch } as EventInput, good()];
      const error = await sdk.publishMany(batch).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventValidationError);
      expect(error).toMatchObject({ field, index: 2 });
      expect((error as Error).message).toMatch(reason);
      expect(sdk.pending).toBe(0);
    },
  );

  it("a consumer sees no record of any rejected batch", async () => {
    const sentinel = await sdk.publish({ ...good(), eventAttributes: { sentinel: "yes" } });
    const records: RawRecord[] = [];
    consumer = await consumeRaw(prefix, records);
    const decoder = createEventDecoder({ registryUrl: schemaRegistryUrl });
    // Single partition: once the sentinel (sent last) is read, anything sent before it was too.
    await waitFor(
      async () => {
        for (const r of records) if ((await decoder.decode(r.value, r.topic)).id === sentinel.id) return true;
        return false;
      },
      { timeoutMs: 30_000, description: "the sentinel event" },
    );
    expect(records).toHaveLength(1);
  });

  it("names the broker when Kafka cannot be reached, instead of hanging", async () => {
    const unreachable = createEventPublisher({
      brokers: "127.0.0.1:1",
      registryUrl: schemaRegistryUrl,
      topicPrefix: prefix,
      retries: 1,
      connectionTimeoutMs: 1_000,
    });
    const error = await unreachable.publish(good()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toMatch(/Kafka broker\(s\) 127\.0\.0\.1:1/);
    await unreachable.close();
  });

  it("says to register the schema when the registry does not have it", async () => {
    const unregistered = createEventPublisher({
      brokers: kafkaBrokers,
      registryUrl: schemaRegistryUrl,
      topicPrefix: uniqueName("none"),
    });
    await expect(unregistered.publish(good())).rejects.toThrow(
      /not registered under .*identities\.events-value.*schemas register/,
    );
    await unregistered.close();
  });

  it("names the registry when it cannot be reached", async () => {
    const offline = createEventPublisher({
      brokers: kafkaBrokers,
      registryUrl: "http://127.0.0.1:1/apis/ccompat/v7",
      topicPrefix: prefix,
    });
    await expect(offline.publish(good())).rejects.toThrow(/schema registry at http:\/\/127\.0\.0\.1:1/);
    await offline.close();
  });
});
