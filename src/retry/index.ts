/**
 * The retry and dead-letter path as the connector, the API and the CLI all use it: the ladder, where
 * a failure goes next, the record formats of the retry and dead-letter topics, and reading and
 * redriving dead letters. Nothing outside this folder imports its files one by one.
 */
export {
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterPage,
  InvalidCursorError,
  listDeadLetterPage,
  listDeadLetters,
  PAGE_SCAN_LIMIT,
  PAGE_SIZE_LIMIT,
  type RedriveResult,
  redriveDeadLetters,
} from "./dead-letters";
export { H, headerString, type RetryHeader } from "./failure-headers";
export type { ErrorEntry, RetryState, SourceRecord } from "./failure-record";
export {
  DEFAULT_LADDER,
  formatDuration,
  type Jitter,
  jitteredDelay,
  parseLadder,
  type RetryTier,
} from "./ladder";
export { type Placement, placeFailure, type RetryPolicy, type TierTopic } from "./retry-policy";
export { dueAtOf, parseHistory, type RetryRecord, readRetryRecord } from "./retry-record";
