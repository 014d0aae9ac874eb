import type { ClientSettings } from "../assumed-role-clients";
import type { AwsServiceName } from "../lean/aws-endpoint";
import type { AwsAnswer } from "../lean/signed-requests";

/**
 * What one AWS service adds to the shared batch machinery (AwsBatchSink): how an event becomes
 * one of its batch entries, its delivery call on each transport, and how its answer reads. Packing,
 * request slots, FIFO order, roles and their credentials, verification and the mapping of
 * answers to delivery results are the machinery's, the same for every AWS sink.
 */
export interface AwsBatchService<Config, Entry, Output, Client> {
  /** Its endpoint prefix, also its signing name (`sns`... `events`), and its SDK id (`EventBridge`). */
  service: AwsServiceName;
  /** Its name in messages: `SNS`, `EventBridge`... */
  title: string;
  /** The delivery call: `PublishBatch`, `PutRecords`... */
  operation: string;
  /** The customer's resource (topic, queue, stream, bus): its region is where we deliver. */
  resourceArn(config: Config): string;
  /** The resource keeps a project's events in the order delivered: batches go one after the other. */
  ordered?(config: Config): boolean;
  limits: AwsBatchLimits;
  /** One entry for a message, with its size as the service counts it against the limits. */
  entry(message: OutgoingMessage, id: string, config: Config): { entry: Entry; bytes: number };
  /**
   * Where the delivery call addresses the resource (a topic ARN, a stream name); an async lookup
   * through the SDK (SQS's queue URL) is made once per stream and kept.
   */
  address(config: Config, client: () => Promise<Client>): string | Promise<string>;
  /** The per-entry answers of a call's output, in the order of `ids` (the entries' ids). */
  answers(output: Output, ids: readonly string[]): EntryAnswer[];
  sdk: {
    client(settings: ClientSettings): Client;
    send(client: Client, address: string, entries: Entry[]): Promise<Output>;
  };
  lean: {
    /** The call's protocol headers and body, built directly. */
    request(address: string, entries: readonly Entry[]): { headers: Record<string, string>; body: string };
    /** The call's output as the SDK would return it; an error answer thrown as the SDK throws it. */
    read(answer: AwsAnswer): Output;
  };
  /** What the customer's role must allow, for the hint of a failed verification. */
  permissions: string;
  /** What the resource is called in messages: `topic`, `queue`, `event bus`... */
  resourceKind: string;
}

export interface AwsBatchLimits {
  /** Entries per call. */
  maxEntries: number;
  /** Bytes per call, as the service counts them. */
  maxBatchBytes: number;
  /** Bytes per entry; a larger event can never be delivered (a permanent result). */
  maxEntryBytes: number;
  /** What one entry is called in messages: `message`, `record`, `event`. */
  unit: string;
}

/** What the machinery hands a service for each event (and for the verification message). */
export interface OutgoingMessage {
  /** The event id: the deduplication id of FIFO destinations. */
  id: string;
  name: string;
  domain: string;
  projectId: string;
  /** The JSON every destination receives (toDeliveredEvent). */
  body: string;
}

/** One entry's fate in a call: delivered, failed with the service's code, or not reported. */
export type EntryAnswer =
  | { ok: true }
  | { ok: false; code: string; message?: string; senderFault?: boolean }
  | undefined;
