import { randomUUID } from 'node:crypto';
import { UnavailableError } from '../errors';
import type { EventStore, NewEvent } from '../eventstore/eventStore';

export type WriteOutcome = 'accepted' | 'duplicate';

export type TrackWriterOptions = {
  store: EventStore;
  /** An id stored in the stream within this window is always recognised as a duplicate. */
  windowMs: number;
  /** Upper bound on ids held in memory; idle streams beyond it are forgotten (and reloaded). */
  maxCachedIds: number;
  clock?: () => number;
  /** Ids of the marker records (default: random UUIDs). */
  newWriteId?: () => string;
  /** Appends lost to other writers before giving up with 503 (nothing of ours was written). */
  maxAttempts?: number;
  /**
   * Pause before retrying after the `attempt`-th lost append (default: random up to
   * 5 ms x 2^attempt, at most 250 ms). Without it, two instances writing one hot stream
   * read and append in lock-step and can lose to each other every time.
   */
  conflictBackoffMs?: (attempt: number) => number;
  /** Called after each successful append with its event count (marker excluded) and duration. */
  onAppend?: (events: number, seconds: number) => void;
};

type Item = {
  event: NewEvent;
  resolve: (outcome: WriteOutcome) => void;
  reject: (err: unknown) => void;
};

/** What this process knows about one stream: exact up to `revision`, ids back to the window. */
class StreamState {
  loaded = false;
  /** A write ended in an unknown state: read what follows `revision` before trusting it. */
  stale = false;
  revision = -1n;
  readonly ids = new Map<string, number>();
  queue: Item[] = [];
  busy = false;
  constructor(readonly name: string) {}
}

const PAGE = 500;
/** Events are ≤ ~1.5 KB (bounded strings), so 500 keep an append well under 1 MiB. */
const MAX_EVENTS_PER_APPEND = 500;

/**
 * Type of the system record that opens every append to a track stream. `$`-prefixed types are
 * infrastructure, not facts: projections and stream readers skip them (they are not stored types).
 */
export const WRITE_MARKER_TYPE = '$ingest';

/**
 * Appends to track streams with durable, exact deduplication; the stream itself is the ledger.
 *
 * - Every append uses the exact expected revision this process knows. Another writer (a
 *   concurrent retry on another instance) makes it fail; we read what was added, drop ids now
 *   present and try again. Nothing is marked seen unless it was read from, or appended to, the log.
 * - EventStoreDB treats an append whose event ids already follow the expected revision as an
 *   idempotent success, which would hide that our events were duplicates. So each append starts
 *   with a marker record under a fresh id: such an append can never match an earlier one, and a
 *   stale expected revision always comes back as a conflict, never as a silent success.
 * - Concurrent writes to one stream in this process are queued and coalesced into one append.
 * - A stream seen for the first time (or forgotten) is loaded backwards through the window.
 */
export class TrackWriter {
  private readonly streams = new Map<string, StreamState>();
  private cachedIds = 0;
  private readonly clock: () => number;
  private readonly newWriteId: () => string;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;

  constructor(private readonly options: TrackWriterOptions) {
    this.clock = options.clock ?? Date.now;
    this.newWriteId = options.newWriteId ?? randomUUID;
    this.maxAttempts = options.maxAttempts ?? 16;
    this.backoffMs =
      options.conflictBackoffMs ?? ((attempt) => Math.random() * Math.min(250, 5 * 2 ** attempt));
  }

  /** Appends `events` to `stream` (in order), each reported as accepted or duplicate. */
  write(stream: string, events: NewEvent[]): Promise<WriteOutcome[]> {
    let s = this.streams.get(stream);
    if (s) this.streams.delete(stream);
    else s = new StreamState(stream);
    this.streams.set(stream, s);
    const state = s;
    const outcomes = events.map(
      (event) =>
        new Promise<WriteOutcome>((resolve, reject) =>
          state.queue.push({ event, resolve, reject }),
        ),
    );
    if (!state.busy) void this.drain(state);
    return Promise.all(outcomes);
  }

  /** Ids held in memory (for metrics and tests). */
  get size(): { streams: number; ids: number } {
    return { streams: this.streams.size, ids: this.cachedIds };
  }

  private async drain(s: StreamState): Promise<void> {
    s.busy = true;
    try {
      while (s.queue.length > 0) {
        // Bounded so an append stays under the store's size limit (1 MiB by default).
        const items = s.queue.splice(0, MAX_EVENTS_PER_APPEND);
        try {
          await this.writeItems(s, items);
        } catch (err) {
          // The append may or may not have landed (a timeout): read the stream before the next one.
          s.stale = true;
          for (const item of items) item.reject(err);
        }
      }
    } finally {
      s.busy = false;
      this.evict();
    }
  }

  private async writeItems(s: StreamState, items: Item[]): Promise<void> {
    if (!s.loaded) await this.load(s);
    else if (s.stale) await this.catchUp(s);
    this.prune(s);
    for (let attempt = 1; ; attempt++) {
      const fresh: Item[] = [];
      const duplicates: Item[] = [];
      const inBatch = new Set<string>();
      for (const item of items) {
        const id = item.event.id;
        if (s.ids.has(id) || inBatch.has(id)) duplicates.push(item);
        else {
          inBatch.add(id);
          fresh.push(item);
        }
      }
      if (fresh.length === 0) {
        for (const item of duplicates) item.resolve('duplicate');
        return;
      }
      const marker: NewEvent = {
        id: this.newWriteId(),
        type: WRITE_MARKER_TYPE,
        data: { events: fresh.length },
      };
      const started = performance.now();
      const outcome = await this.options.store.append(
        s.name,
        [marker, ...fresh.map((i) => i.event)],
        s.revision < 0n ? 'no_stream' : s.revision,
      );
      if (!outcome.ok) {
        if (attempt >= this.maxAttempts) {
          throw new UnavailableError(`${s.name}: gave up after ${attempt} conflicting appends`);
        }
        await new Promise((r) => setTimeout(r, this.backoffMs(attempt)));
        await this.catchUp(s);
        continue;
      }
      this.options.onAppend?.(fresh.length, (performance.now() - started) / 1000);
      const now = this.clock();
      for (const item of fresh) this.remember(s, item.event.id, now);
      s.revision = outcome.nextRevision;
      for (const item of fresh) item.resolve('accepted');
      for (const item of duplicates) item.resolve('duplicate');
      return;
    }
  }

  /** First sight of a stream: its revision and the ids it received within the window. */
  private async load(s: StreamState): Promise<void> {
    const horizon = this.clock() - this.options.windowMs;
    const found: [string, number][] = [];
    let revision = -1n;
    let from: bigint | undefined;
    let more = true;
    while (more) {
      let n = 0;
      let oldest = -1n;
      let past = false;
      more = false;
      for await (const e of this.options.store.readStream(s.name, {
        backwards: true,
        maxCount: PAGE,
        ...(from !== undefined ? { fromRevision: from } : {}),
      })) {
        if (revision < 0n) revision = e.revision;
        n += 1;
        oldest = e.revision;
        const t = e.created.getTime();
        if (t < horizon) past = true;
        if (!past && !e.type.startsWith('$')) found.push([e.id, t]);
      }
      if (!past && n === PAGE && oldest > 0n) {
        from = oldest - 1n;
        more = true;
      }
    }
    this.forget(s);
    for (let i = found.length - 1; i >= 0; i--) this.remember(s, found[i]![0], found[i]![1]);
    s.revision = revision;
    s.loaded = true;
    s.stale = false;
  }

  /** Reads what others appended after what we know. */
  private async catchUp(s: StreamState): Promise<void> {
    for await (const e of this.options.store.readStream(s.name, {
      fromRevision: s.revision + 1n,
    })) {
      if (!e.type.startsWith('$')) this.remember(s, e.id, e.created.getTime());
      s.revision = e.revision;
    }
    s.stale = false;
  }

  private remember(s: StreamState, id: string, at: number): void {
    if (s.ids.has(id)) return;
    s.ids.set(id, at);
    this.cachedIds += 1;
  }

  private forget(s: StreamState): void {
    this.cachedIds -= s.ids.size;
    s.ids.clear();
  }

  /** Ids are held in arrival order: drop those older than the window from the front. */
  private prune(s: StreamState): void {
    const horizon = this.clock() - this.options.windowMs;
    for (const [id, at] of s.ids) {
      if (at >= horizon) break;
      s.ids.delete(id);
      this.cachedIds -= 1;
    }
  }

  /** Forgets least recently used idle streams while over the id budget. */
  private evict(): void {
    if (this.cachedIds <= this.options.maxCachedIds) return;
    for (const [name, s] of this.streams) {
      if (this.cachedIds <= this.options.maxCachedIds) break;
      if (s.busy || s.queue.length > 0) continue;
      this.forget(s);
      this.streams.delete(name);
    }
  }
}
