import { randomUUID } from "node:crypto";
import { type Consumer, type Kafka, Partitioners, type Producer } from "kafkajs";
import type { Logger } from "pino";
import { createMissingTopics } from "../../../src/kafka/create-missing-topics";
import { withAdmin } from "../../../src/kafka/with-admin";
import { errorMessage } from "../../../src/util/error-message";
import { ApiError } from "../api-error";
import { parseWriteRecord, type WriteBody, type WriteOutcome, type WriteRequest } from "./write-request";

/** Partitions of the writes topic: projects' writes are applied in parallel across them. */
const PARTITIONS = 6;
/** Requests and outcomes are needed for seconds; a day is plenty to look back at them. */
const RETENTION_MS = String(24 * 3_600_000);
/** How long a request waits for its outcome before the caller is told it is not confirmed. */
const OUTCOME_TIMEOUT_MS = 30_000;

export type ApplyWrite = (
  request: WriteRequest,
) => Promise<Omit<Extract<WriteOutcome, { ok: true }>, "kind" | "id">>;

/**
 * Stream writes, serialized per project across every API instance, through Kafka: a request goes
 * to the writes topic (`<config topic>.writes`, keyed by project); the API instances form one
 * consumer group over it, so each project's requests are applied by one instance at a time, in
 * order (`apply`); the outcome goes back on the same topic, where the asking instance waits for it.
 * An instance killed mid-write leaves its request in the topic: the partition's next owner applies
 * it (a request applied already is recognized by its id, see StreamWriter).
 */
export class StreamWrites {
  readonly topic: string;
  private readonly producer: Producer;
  private applier?: Consumer;
  private outcomes?: Consumer;
  private readonly pending = new Map<string, (outcome: WriteOutcome) => void>();

  constructor(
    private readonly kafka: Kafka,
    configTopic: string,
    /** Applies the writes of the projects this instance is given; none: it only sends requests. */
    private readonly apply: ApplyWrite | undefined,
    private readonly logger: Logger,
  ) {
    this.topic = `${configTopic}.writes`;
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    await withAdmin(this.kafka, (admin) =>
      createMissingTopics(admin, [
        {
          topic: this.topic,
          numPartitions: PARTITIONS,
          configEntries: [{ name: "retention.ms", value: RETENTION_MS }],
        },
      ]),
    );
    await this.producer.connect();
    // Outcomes first, from the end: every request sent after this is answered here.
    this.outcomes = this.kafka.consumer({
      groupId: `eventstreams-api-outcomes-${randomUUID()}`,
      maxWaitTimeInMs: 100,
    });
    await this.outcomes.connect();
    await this.outcomes.subscribe({ topics: [this.topic], fromBeginning: false });
    const joined = new Promise<void>((resolve) =>
      this.outcomes?.on(this.outcomes.events.GROUP_JOIN, () => resolve()),
    );
    await this.outcomes.run({
      eachMessage: async ({ message }) => {
        const record = parseWriteRecord(message.value);
        if (record?.kind === "outcome") this.pending.get(record.id)?.(record);
      },
    });
    await joined;
    if (!this.apply) return;
    const apply = this.apply;
    this.applier = this.kafka.consumer({
      groupId: `${this.topic}.appliers`,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      // An instance that dies hands its projects' writes over within seconds, not half a minute.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    await this.applier.connect();
    await this.applier.subscribe({ topics: [this.topic], fromBeginning: true });
    await this.applier.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS,
      eachMessage: async ({ topic, partition, message }) => {
        const record = parseWriteRecord(message.value);
        if (record?.kind === "request") await this.answer(apply, record, message.key?.toString());
        // Committed once answered: a request is applied again only if its instance died first.
        await this.applier?.commitOffsets([
          { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
  }

  /** Sends a request and waits for its outcome; an ApiError of the applier is thrown here too. */
  async submit(body: WriteBody): Promise<Extract<WriteOutcome, { ok: true }>> {
    const id = randomUUID();
    const outcome = new Promise<WriteOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ApiError(
            503,
            "write_unconfirmed",
            `the write was queued but not confirmed within ${OUTCOME_TIMEOUT_MS / 1000} s: read the stream to see whether it was applied`,
          ),
        );
      }, OUTCOME_TIMEOUT_MS);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(answer);
      });
    });
    const request = { ...body, kind: "request", id } as WriteRequest;
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: [{ key: body.projectId, value: JSON.stringify(request) }],
      });
    } catch (error) {
      this.pending.get(id)?.({ kind: "outcome", id, ok: false, error: unavailable(error) });
    }
    const answer = await outcome;
    if (!answer.ok) {
      const { status, code, message, field, details } = answer.error;
      throw new ApiError(status, code, message, field, details);
    }
    return answer;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.applier?.disconnect(), this.outcomes?.disconnect()]);
    await this.producer.disconnect();
  }

  private async answer(apply: ApplyWrite, request: WriteRequest, key: string | undefined): Promise<void> {
    let outcome: WriteOutcome;
    if (key !== request.projectId) {
      outcome = {
        kind: "outcome",
        id: request.id,
        ok: false,
        error: refused("the request's key is not its project"),
      };
    } else {
      try {
        outcome = { ...(await apply(request)), kind: "outcome", id: request.id };
      } catch (error) {
        outcome = {
          kind: "outcome",
          id: request.id,
          ok: false,
          error:
            error instanceof ApiError
              ? {
                  status: error.statusCode,
                  code: error.code,
                  message: error.message,
                  field: error.field,
                  details: error.details,
                }
              : unavailable(error),
        };
        if (!(error instanceof ApiError))
          this.logger.error(
            { op: request.op, projectId: request.projectId, err: error },
            "a stream write failed",
          );
      }
    }
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: request.projectId, value: JSON.stringify(outcome) }],
    });
  }
}

const refused = (message: string) => ({
  status: 400,
  code: "invalid_request",
  message,
  field: null,
  details: {},
});
const unavailable = (error: unknown) => ({
  status: 503,
  code: "write_failed",
  message: `the write could not be applied (${errorMessage(error)}): try again`,
  field: null,
  details: {},
});
