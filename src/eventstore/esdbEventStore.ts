import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  isCommandError,
  ErrorType,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
  type AppendExpectedRevision,
} from '@eventstore/db-client';
import { ConcurrencyError, UnavailableError } from '../errors';
import { installNativeBase64Bytes } from './protobufBytes';
import type {
  AppendOutcome,
  EventStore,
  ExpectedRevision,
  LogSubscription,
  RecordedEvent,
} from './eventStore';

const DISPOSE_TIMEOUT_MS = 2000;

const unavailableTypes: ReadonlySet<string> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
]);

/** Turns the client's CommandErrors into our domain errors where we have one. */
export function translateError(err: unknown): unknown {
  if (err instanceof Error && isCommandError(err)) {
    if (unavailableTypes.has(err.type)) return new UnavailableError(`event store: ${err.message}`);
    if (err.type === ErrorType.WRONG_EXPECTED_VERSION) return new ConcurrencyError(err.message);
  }
  if ((err as { code?: unknown })?.code === 14)
    return new UnavailableError('event store unavailable');
  return err;
}

function toExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected;
}

function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const e = resolved.event;
  if (!e || !e.position) return undefined;
  return {
    id: e.id,
    type: e.type,
    stream: e.streamId,
    revision: e.revision,
    position: { commit: e.position.commit, prepare: e.position.prepare },
    data: e.data,
    ...(e.metadata !== undefined ? { metadata: e.metadata } : {}),
    created: e.created,
  };
}

export function connectEventStore(connectionString: string): EventStore {
  installNativeBase64Bytes();
  const client = EventStoreDBClient.connectionString(connectionString);
  return {
    async append(stream, events, expected = 'any'): Promise<AppendOutcome> {
      try {
        const result = await client.appendToStream(
          stream,
          events.map((e) =>
            jsonEvent({
              id: e.id,
              type: e.type,
              data: e.data as never,
              ...(e.metadata !== undefined ? { metadata: e.metadata as never } : {}),
            }),
          ),
          { expectedRevision: toExpected(expected) },
        );
        return { ok: true, nextRevision: result.nextExpectedRevision, position: result.position };
      } catch (err) {
        if (
          err instanceof Error &&
          isCommandError(err) &&
          err.type === ErrorType.WRONG_EXPECTED_VERSION
        ) {
          const actual = err.actualVersion;
          return {
            ok: false,
            reason: 'WRONG_EXPECTED_REVISION',
            actualRevision: typeof actual === 'bigint' ? actual : 'no_stream',
          };
        }
        throw translateError(err);
      }
    },

    async *readStream(stream, options = {}) {
      const reading = client.readStream(stream, {
        direction: options.backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (options.backwards ? END : START),
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      });
      try {
        for await (const resolved of reading) {
          const recorded = toRecorded(resolved);
          if (recorded) yield recorded;
        }
      } catch (err) {
        if (err instanceof Error && isCommandError(err) && err.type === ErrorType.STREAM_NOT_FOUND)
          return;
        throw translateError(err);
      }
    },

    subscribeToAll({ from, streamPrefixes }): LogSubscription {
      const subscription = client.subscribeToAll({
        fromPosition: from && from.commit > 0n ? from : START,
        filter: streamNameFilter({ prefixes: streamPrefixes }),
      });
      const caughtUp = new Promise<void>((resolve) => subscription.once('caughtUp', resolve));
      return {
        caughtUp,
        close: () => subscription.unsubscribe(),
        async *[Symbol.asyncIterator]() {
          try {
            for await (const resolved of subscription) {
              const recorded = toRecorded(resolved);
              if (recorded) yield recorded;
            }
          } catch (err) {
            throw translateError(err);
          }
        },
      };
    },

    async headPosition(streamPrefixes) {
      try {
        // readAll has no server-side filter in this client version: look at the newest page.
        const reading = client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 100 });
        for await (const resolved of reading) {
          const e = resolved.event;
          if (e?.position && streamPrefixes.some((p) => e.streamId.startsWith(p))) {
            return { commit: e.position.commit, prepare: e.position.prepare };
          }
        }
        return undefined;
      } catch (err) {
        throw translateError(err);
      }
    },

    /**
     * The client's dispose() waits for every stream it ever opened to finish; a read abandoned
     * half-way (an early `return` from `for await`) can leave one that never does, and shutdown
     * would hang on it. Give it a bounded time: the process is about to close the channels anyway.
     */
    close: async () => {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DISPOSE_TIMEOUT_MS);
        timer.unref();
      });
      await Promise.race([client.dispose(), gaveUp]);
      clearTimeout(timer);
    },
  };
}
