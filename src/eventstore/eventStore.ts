/**
 * The port the rest of the service uses to reach the log. Implemented by
 * src/eventstore/esdbEventStore.ts with the official client (production and embedded alike).
 */
export type LogPosition = { commit: bigint; prepare: bigint };

/** `metadata`: optional JSON stored next to the data (e.g. the id of the write that stored it). */
export type NewEvent = { id: string; type: string; data: unknown; metadata?: unknown };

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export type RecordedEvent = {
  id: string;
  type: string;
  stream: string;
  revision: bigint;
  position: LogPosition;
  data: unknown;
  metadata?: unknown;
  created: Date;
};

export type AppendOutcome =
  | { ok: true; nextRevision: bigint; position: LogPosition | undefined }
  | { ok: false; reason: 'WRONG_EXPECTED_REVISION'; actualRevision: bigint | 'no_stream' };

export interface LogSubscription extends AsyncIterable<RecordedEvent> {
  /** Resolves once the catch-up phase has reached the head of the log. */
  readonly caughtUp: Promise<void>;
  close(): Promise<void>;
}

export interface EventStore {
  append(stream: string, events: NewEvent[], expected?: ExpectedRevision): Promise<AppendOutcome>;
  /** Events of one stream in order; an absent stream reads as empty. */
  readStream(
    stream: string,
    options?: { fromRevision?: bigint; maxCount?: number; backwards?: boolean },
  ): AsyncIterable<RecordedEvent>;
  /** Catch-up subscription to $all, filtered to streams with these prefixes, after `from`. */
  subscribeToAll(options: { from?: LogPosition; streamPrefixes: string[] }): LogSubscription;
  /** Position of the last event in the log whose stream matches the prefixes, if any. */
  headPosition(streamPrefixes: string[]): Promise<LogPosition | undefined>;
  close(): Promise<void>;
}

export const comparePositions = (a: LogPosition, b: LogPosition): number =>
  a.commit === b.commit ? Number(a.prepare - b.prepare) : a.commit < b.commit ? -1 : 1;
