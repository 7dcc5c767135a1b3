import type { NewEvent } from '../log/record';

export type { NewEvent };

export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: number };

/** Expected outcomes are data; only a broken disk is thrown. */
export type AppendOutcome =
  | { ok: true; revision: number; position: number | null }
  | { ok: false; reason: 'wrong_expected_version'; current: number }
  | { ok: false; reason: 'stream_deleted' }
  | { ok: false; reason: 'too_big'; maxAppendSize: number };

export type DeleteOutcome =
  | { ok: true; position: number }
  | { ok: false; reason: 'wrong_expected_version'; current: number }
  | { ok: false; reason: 'stream_deleted' };

export interface StoreLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export const silentLogger: StoreLogger = { info() {}, warn() {}, error() {} };

/** Revision the real server reports for a tombstoned stream (Int64.MaxValue). */
export const TOMBSTONE_REVISION = '9223372036854775807';
