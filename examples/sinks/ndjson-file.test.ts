import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSinkRegistry } from "../../apps/package";
import { describeSinkConformance } from "../../apps/package/testing";
import { receivedIds } from "../../test/support/received-ids";
import { NdjsonFileSink, ndjsonFileSink } from "./ndjson-file";

/** The docs example runs the same conformance suite as the built-in sinks. */
describeSinkConformance("ndjson-file (docs example)", {
  definition: ndjsonFileSink,
  setUp: async () => {
    const directory = await mkdtemp(join(tmpdir(), "ndjson-sink-"));
    const target = { streamId: "es_example", projectId: randomUUID(), config: { fileName: "events.ndjson" } };
    // A folder where the file should be: appending fails until someone fixes it (EISDIR).
    await mkdir(join(directory, "busy.ndjson"));
    let offset = 0;
    return {
      sink: new NdjsonFileSink(directory),
      target,
      failingTarget: { ...target, config: { fileName: "busy.ndjson" } },
      rejectedEvent: (e) => ({ ...e, eventAttributes: { blob: "x".repeat(300 * 1024) } }),
      received: receivedIds(async () => {
        const lines = (await readFile(join(directory, "events.ndjson"), "utf8")).split("\n").filter(Boolean);
        const fresh = lines.slice(offset);
        offset = lines.length;
        return fresh.map((line) => String(JSON.parse(line).id));
      }),
      secrets: [],
      tearDown: () => rm(directory, { recursive: true, force: true }),
    };
  },
});

it("registers next to the built-in sinks and validates its config", () => {
  const registry = createSinkRegistry().register(ndjsonFileSink);
  expect(registry.types()).toContain("ndjson-file");
  expect(registry.validateConfig("ndjson-file", { fileName: "../etc/passwd" })).toEqual({
    field: "fileName",
    message: "must be a file name like events.ndjson",
  });
});
