/**
 * What a failed delivery's record says about where the event came from and what happened to it so
 * far: the formats the connector writes to the retry and dead-letter topics, and the API and the
 * CLI read back.
 */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The original bytes of the event, as the product service produced them. */
  value: Buffer;
}

export interface ErrorEntry {
  at: string;
  attempt: number;
  sink: string;
  code: string;
  message: string;
}

/** What a retry record carries from earlier attempts (absent for the main connector's failure). */
export interface RetryState {
  attempt: number;
  /** Index of the ladder step the failed attempt was read from. */
  tierIndex: number;
  firstFailedAt: string;
  history: ErrorEntry[];
  /** Headers carried over unchanged (source position, redrive origin). */
  carried: Record<string, string>;
}
