import { randomUUID } from "node:crypto";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { DomainEvent } from "../../../src/events/domain-event";
import { waitFor } from "../../../src/util/wait-for";
import { uniqueName } from "../../../support/unique";
import { createPublisherRole } from "../../../test/support/aws-fixtures";
import { receivedIds } from "../../../test/support/received-ids";
import { conformanceEvents, describeSinkConformance } from "../conformance";
import { createKinesisSink, kinesisSink } from "./index";

/** HTTP/1.1: the SDK's Kinesis client defaults to HTTP/2 (for SubscribeToShard), which the emulator lacks. */
const kinesis = new KinesisClient({ requestHandler: new NodeHttpHandler() });

async function customerStream(shards = 1) {
  const projectId = randomUUID();
  const name = uniqueName("events");
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  let streamArn = "";
  await waitFor(
    async () => {
      const { StreamDescriptionSummary: s } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: name }),
      );
      streamArn = s?.StreamARN ?? "";
      return s?.StreamStatus === "ACTIVE";
    },
    { timeoutMs: 20_000, intervalMs: 100, description: () => `stream ${name} to be active` },
  );
  const roleArn = await createPublisherRole(projectId, streamArn);
  const target = { streamId: `es_${randomUUID().slice(0, 8)}`, projectId, config: { streamArn, roleArn } };
  return { target, name };
}

/** Every record on the stream so far, per shard in order: its partition key and event id. */
function streamReader(name: string) {
  const iterators = new Map<string, string | undefined>();
  return async (): Promise<{ shard: string; key: string; id: string }[]> => {
    if (iterators.size === 0) {
      const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: name }));
      for (const shard of Shards) {
        const { ShardIterator } = await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: name,
            ShardId: shard.ShardId,
            ShardIteratorType: "TRIM_HORIZON",
          }),
        );
        iterators.set(shard.ShardId as string, ShardIterator);
      }
    }
    const out: { shard: string; key: string; id: string }[] = [];
    for (const [shard, iterator] of iterators) {
      if (!iterator) continue;
      const { Records = [], NextShardIterator } = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator }),
      );
      iterators.set(shard, NextShardIterator);
      for (const r of Records)
        out.push({
          shard,
          key: r.PartitionKey ?? "",
          id: String(JSON.parse(Buffer.from(r.Data ?? []).toString()).id),
        });
    }
    return out;
  };
}

for (const transport of ["sdk", "lean"] as const)
  describeSinkConformance(`kinesis (${transport} transport)`, {
    definition: kinesisSink,
    setUp: async () => {
      const { target, name } = await customerStream();
      const read = streamReader(name);
      return {
        sink: createKinesisSink({ transport, env: process.env }),
        target,
        failingTarget: {
          ...target,
          config: { ...target.config, streamArn: `${target.config.streamArn}-missing` },
        },
        rejectedEvent: (e) => ({ ...e, eventAttributes: { blob: "x".repeat(1100 * 1024) } }),
        received: receivedIds(async () => (await read()).map((r) => r.id)),
        secrets: [],
      };
    },
  });

describe("Kinesis sink", () => {
  it("keys every record by project, so each project's events stay in order on one shard", async () => {
    const { target, name } = await customerStream(4);
    const other = { ...target, projectId: randomUUID() };
    const sink = createKinesisSink({ env: process.env });
    const mine = conformanceEvents(30, target.projectId);
    const theirs = conformanceEvents(30, other.projectId);
    for (const [t, list] of [
      [target, mine],
      [other, theirs],
    ] as const)
      expect((await sink.deliver(t, list as DomainEvent[])).every((r) => r.outcome === "delivered")).toBe(
        true,
      );
    const read = streamReader(name);
    const records: Awaited<ReturnType<typeof read>> = [];
    await waitFor(
      async () => {
        records.push(...(await read()));
        return records.length >= 60;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: () => `60 records, ${records.length} so far` },
    );
    for (const [projectId, list] of [
      [target.projectId, mine],
      [other.projectId, theirs],
    ] as const) {
      const own = records.filter((r) => r.key === projectId);
      expect(new Set(own.map((r) => r.shard)).size).toBe(1);
      expect(own.map((r) => r.id)).toEqual(list.map((e) => e.id));
    }
    await sink.close();
  });
});
