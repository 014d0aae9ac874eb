import { randomUUID } from "node:crypto";
import { H, InvalidCursorError, listDeadLetterPage } from "../../src/retry";
import { createPipeline, type Pipeline } from "../../support/pipeline";

/**
 * A tenant's request for its dead letters reads one bounded page of the dead-letter topic, which
 * holds every project's: following the cursors returns each of its letters exactly once, and
 * never another project's.
 */
describe("dead-letter pages", () => {
  let pipeline: Pipeline;
  const mine = randomUUID();
  const theirs = randomUUID();
  const stream = `es_${randomUUID()}`;

  beforeAll(async () => {
    pipeline = await createPipeline(3);
    const producer = pipeline.kafka.producer();
    await producer.connect();
    // 40 letters of ours among 80 of another project's, spread over the three partitions.
    const messages = Array.from({ length: 120 }, (_, i) => ({
      key: `k${i % 7}`,
      value: Buffer.from(`event ${i}`),
      headers: {
        [H.projectId]: i % 3 === 0 ? mine : theirs,
        [H.streamId]: stream,
        [H.reason]: "retries-exhausted",
        [H.attempt]: "4",
        [H.errorCode]: `E${i}`,
      },
    }));
    await producer.send({ topic: pipeline.topics.deadLetter, messages });
    await producer.disconnect();
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it("pages through one project's letters with bounded scans, each letter once", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listDeadLetterPage(
        pipeline.kafka,
        pipeline.topics,
        { projectId: mine },
        { cursor, limit: 7, maxScan: 25 },
      );
      expect(page.letters.length).toBeLessThanOrEqual(7);
      expect(page.letters.every((d) => d.projectId === mine)).toBe(true);
      expect(page.truncated).toBe(page.cursor !== undefined);
      seen.push(...page.letters.map((d) => d.lastError.code ?? ""));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 100);
    expect(cursor).toBeUndefined();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(Array.from({ length: 40 }, (_, k) => `E${k * 3}`).sort());
    // 120 records at most 25 a page, and pages end early once they hold 7 letters.
    expect(pages).toBeGreaterThanOrEqual(6);
  }, 60_000);

  it("refuses a cursor it did not give out", async () => {
    for (const cursor of ["%%%", Buffer.from("0:1,x").toString("base64url"), "a".repeat(3_000)]) {
      await expect(
        listDeadLetterPage(pipeline.kafka, pipeline.topics, { projectId: mine }, { cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
    }
  });
});
