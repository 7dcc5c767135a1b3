import type { IngestionEventInput } from '../../src/events/ingestion';
import { uuid } from './ids';
import { onPageHide, type OnUnload } from './lifecycle';
import { browserStore, type Store } from './persistence';
import { BoundedQueue } from './queue';
import { backoffDelay, classify, parseRetryAfter } from './retryPolicy';
import { browserTransport, type SendResult, type Transport } from './transport';

/** An event as queued and posted: the ingestion wire shape (`src/events/ingestion.ts`). */
export type QueuedEvent = IngestionEventInput;

type Filled = 'id' | 'timestamp' | 'sessionId' | 'anonymousId';
/** What `track()` takes: the ingestion event shape without the fields the collector fills. */
export type TrackEvent = QueuedEvent extends infer E
  ? E extends unknown
    ? Omit<E, Filled>
    : never
  : never;

export interface StatsCollectorOptions {
  /** Full URL of `POST /api/stats/events`. */
  endpoint: string;
  /** Events per request; reaching it triggers a send. Clamped to 1..1000. @defaultValue 50 */
  batchSize?: number;
  /** Longest an event waits in the queue before a send is attempted. At least 100. @defaultValue 5000 */
  flushIntervalMs?: number;
  /** Most unsettled events (queued + in flight); beyond it the oldest are dropped and counted. @defaultValue 1000 */
  maxQueueSize?: number;
  /**
   * Keep unsent events in the store (localStorage) so a reload or a crash does not lose them; they
   * are sent by the next collector created on the same origin. Events handed to sendBeacon stay
   * stored too (delivery of a beacon is unknowable) until a later send succeeds, so they may be
   * sent again after a reload: the server dedups by event id. Tabs share one stored queue; the
   * last writer wins. @defaultValue false
   */
  persist?: boolean;
  /** Bearer token for `fetch` sends (beacons cannot carry headers, so they are always anonymous). */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** First retry delay; doubles per failed attempt, with jitter. @defaultValue 1000 */
  minBackoffMs?: number;
  /** Longest retry delay (a server `Retry-After` may ask for longer and is honoured). @defaultValue 30000 */
  maxBackoffMs?: number;
  /** Overrides the stored anonymous id. */
  anonymousId?: string;
  /** Overrides the session id, which is otherwise new for every collector (every page load). */
  sessionId?: string;
  /** Key prefix in the store. @defaultValue "stats:" */
  storageKey?: string;
  /** @defaultValue fetch + sendBeacon */
  transport?: Transport;
  /** @defaultValue localStorage with a memory fallback */
  store?: Store;
  /** @defaultValue pagehide / hidden visibilitychange */
  onUnload?: OnUnload;
}

/** Counters since the collector was created. */
export interface CollectorStats {
  /** Events not yet settled: queued or in a request awaiting its answer. */
  queued: number;
  /** Events the server accepted (or reported as duplicates), plus those handed to sendBeacon. */
  sent: number;
  /** Events lost: queue overflow, rejected by the server, or tracked after `shutdown()`. */
  dropped: number;
  /** Failed sends that were scheduled to be retried. */
  retries: number;
}

// Browsers cap the bodies of pending beacons and keepalive fetches at 64 KiB in total.
const BEACON_BYTES = 60_000;
const KEEPALIVE_BYTES = 32_768;

const clamp = (v: number | undefined, def: number, min: number, max: number): number =>
  v === undefined || Number.isNaN(v) ? def : Math.min(max, Math.max(min, Math.floor(v)));

/**
 * Queues listener events and posts them in batches to the ingestion API.
 *
 * Delivery is at-least-once with client-generated event ids, which the server dedups, so the
 * net effect is exactly once. Only one request is in flight at a time; a failed batch goes back
 * to the front of the queue and is retried with exponential backoff and jitter (honouring
 * `Retry-After`), never while the same batch is still in flight.
 */
export class StatsCollector {
  /** Stable across reloads (kept in the store), unless overridden. */
  readonly anonymousId: string;
  /** New for every collector unless overridden. */
  readonly sessionId: string;

  private readonly _url: string;
  private readonly _batchSize: number;
  private readonly _interval: number;
  private readonly _minBackoff: number;
  private readonly _maxBackoff: number;
  private readonly _persist: boolean;
  private readonly _key: string;
  private readonly _store: Store;
  private readonly _transport: Transport;
  private readonly _getToken: StatsCollectorOptions['getToken'];
  private readonly _queue: BoundedQueue<QueuedEvent>;
  private readonly _max: number;
  private readonly _off: () => void;
  private _inflight: QueuedEvent[] = [];
  /** Handed to sendBeacon / keepalive on unload, unconfirmed: kept in the store until a send succeeds. */
  private _handedOff: QueuedEvent[] = [];
  private _sending?: Promise<void>;
  private _timer?: ReturnType<typeof setTimeout>;
  private _attempt = 0;
  private _blockedUntil = 0;
  private _limit: number;
  private _saveQueued = false;
  private _stopped = false;
  private _counts = { sent: 0, dropped: 0, retries: 0 };

  /** @throws TypeError when `endpoint` is missing. */
  constructor(options: StatsCollectorOptions) {
    if (!options?.endpoint) throw new TypeError('StatsCollector: endpoint is required');
    this._url = options.endpoint;
    this._limit = this._batchSize = clamp(options.batchSize, 50, 1, 1000);
    this._interval = clamp(options.flushIntervalMs, 5000, 100, 3_600_000);
    this._minBackoff = clamp(options.minBackoffMs, 1000, 1, 3_600_000);
    this._maxBackoff = clamp(options.maxBackoffMs, 30_000, this._minBackoff, 3_600_000);
    this._queue = new BoundedQueue((this._max = clamp(options.maxQueueSize, 1000, 1, 100_000)));
    this._persist = !!options.persist;
    this._key = options.storageKey ?? 'stats:';
    this._store = options.store ?? browserStore();
    this._transport = options.transport ?? browserTransport();
    this._getToken = options.getToken;

    const aidKey = this._key + 'anonymousId';
    let aid = options.anonymousId ?? this._store.getItem(aidKey);
    if (!aid) this._store.setItem(aidKey, (aid = uuid()));
    this.anonymousId = aid;
    this.sessionId = options.sessionId ?? uuid();

    if (this._persist) this._restore();
    this._off = (options.onUnload ?? onPageHide)(() => this._unload());
  }

  /**
   * Queues `event`, filling `id`, `timestamp` (now), `sessionId` and `anonymousId`, and returns
   * the id. Never throws and never sends synchronously: a send starts once `batchSize` events are
   * queued (unless a retry is pending) or `flushIntervalMs` after the first queued event.
   * After `shutdown()` the event is dropped (counted) and its id still returned.
   */
  track(event: TrackEvent): string {
    const id = uuid();
    if (this._stopped) {
      this._counts.dropped++;
      return id;
    }
    const full = {
      ...event,
      id,
      timestamp: new Date().toISOString(),
      sessionId: this.sessionId,
      anonymousId: this.anonymousId,
    } as QueuedEvent;
    this._counts.dropped += this._queue.push(full, this._inflight.length);
    this._changed();
    if (this._queue.size >= this._batchSize && !this._attempt) void this._pump();
    else this._arm(this._interval);
    return id;
  }

  /**
   * Sends everything queued, in batches, and resolves when the queue is empty or a send failed
   * (a retry is then scheduled). Never rejects. If a send is already running, resolves when it
   * ends instead of starting another. Skips a pending backoff, except while the server's
   * `Retry-After` is in force (then resolves at once, leaving the scheduled retry to send).
   */
  flush(): Promise<void> {
    if (this._sending) return this._sending;
    if (Date.now() < this._blockedUntil) return Promise.resolve();
    return this._pump();
  }

  /**
   * Hands everything queued to `sendBeacon` (falling back to `fetch` with `keepalive`), stops the
   * timers and the page listeners. Final: later `track()` calls are dropped. A request already in
   * flight still completes, but is not retried if it fails.
   */
  shutdown(): void {
    this._unload();
    this._stopped = true;
    clearTimeout(this._timer);
    this._off();
  }

  /** A snapshot of the counters. */
  stats(): CollectorStats {
    return { queued: this._queue.size + this._inflight.length, ...this._counts };
  }

  private _arm(ms: number, force?: boolean): void {
    if (this._stopped || (this._timer !== undefined && !force)) return;
    clearTimeout(this._timer);
    this._timer = setTimeout(() => {
      this._timer = undefined;
      void this._pump();
    }, ms);
  }

  private _pump(): Promise<void> {
    clearTimeout(this._timer);
    this._timer = undefined;
    return (this._sending ??= this._drain().finally(() => {
      this._sending = undefined;
      if (this._queue.size) this._arm(this._interval);
    }));
  }

  private async _drain(): Promise<void> {
    while (this._queue.size && !this._stopped) {
      const batch = (this._inflight = this._queue.take(this._limit));
      const result = await this._post(batch);
      this._inflight = [];
      if (!this._settle(batch, result)) return;
    }
  }

  private async _post(batch: QueuedEvent[], keepalive?: boolean): Promise<SendResult> {
    let token: string | null | undefined;
    try {
      token = await this._getToken?.();
    } catch {
      /* no token: send anonymously */
    }
    const body = this._body(batch);
    // keepalive lets a small send outlive the page; big ones would exceed the browser's quota.
    keepalive ??= body.length <= KEEPALIVE_BYTES;
    return this._transport
      .send(this._url, body, { token: token ?? undefined, keepalive })
      .catch(() => ({ status: 0 }));
  }

  /** Applies a send's outcome; returns whether to go on sending. */
  private _settle(batch: QueuedEvent[], result: SendResult): boolean {
    const counts = this._counts;
    const outcome = classify(result.status);
    if (outcome === 'sent') {
      const rejected = (result.body as { rejected?: unknown } | undefined)?.rejected;
      const bad = Array.isArray(rejected) ? Math.min(rejected.length, batch.length) : 0;
      counts.sent += batch.length - bad;
      counts.dropped += bad;
      this._attempt = 0;
      // The service was reachable after the unload sends: assume they arrived, stop storing them.
      this._handedOff = [];
    } else if (outcome === 'split' && batch.length > 1) {
      this._limit = Math.ceil(batch.length / 2);
      this._queue.unshift(batch);
    } else if (outcome === 'retry' && !this._stopped) {
      this._queue.unshift(batch);
      counts.retries++;
      const now = Date.now();
      const wait = parseRetryAfter(result.retryAfter, now) ?? 0;
      this._blockedUntil = now + wait;
      this._arm(
        Math.max(wait, backoffDelay(++this._attempt, this._minBackoff, this._maxBackoff)),
        true,
      );
      return false;
    } else {
      counts.dropped += batch.length;
    }
    this._changed();
    return true;
  }

  private _body(events: QueuedEvent[]): string {
    return JSON.stringify({ sentAt: new Date().toISOString(), events });
  }

  private _unload(): void {
    if (this._stopped) return;
    let chunk: QueuedEvent[] = [];
    let bytes = 0;
    for (const event of this._queue.take(this._queue.size)) {
      const n = JSON.stringify(event).length + 1;
      if (chunk.length && bytes + n > BEACON_BYTES) {
        this._beacon(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(event);
      bytes += n;
    }
    if (chunk.length) this._beacon(chunk);
    // Synchronously, while the page still runs: if a beacon never arrives, the next load resends.
    if (this._persist) this._save();
  }

  private _beacon(batch: QueuedEvent[]): void {
    this._handedOff = this._handedOff.concat(batch).slice(-this._max);
    if (this._transport.beacon(this._url, this._body(batch))) {
      this._counts.sent += batch.length;
      return;
    }
    // No sendBeacon, or it refused (quota): keepalive fetch also outlives the page, and if the
    // page lives on (it was only hidden) its outcome is handled like any other send.
    void this._post(batch, true).then((r) => this._settle(batch, r));
  }

  private _changed(): void {
    if (!this._persist || this._saveQueued) return;
    this._saveQueued = true;
    // One write per task, however many events were tracked in it.
    queueMicrotask(() => {
      this._saveQueued = false;
      if (!this._stopped) this._save();
    });
  }

  private _save(): void {
    const events = [...this._handedOff, ...this._inflight, ...this._queue.toArray()];
    try {
      if (events.length) this._store.setItem(this._key + 'queue', JSON.stringify(events));
      else this._store.removeItem(this._key + 'queue');
    } catch {
      /* an injected store failed: the queue stays in memory */
    }
  }

  private _restore(): void {
    try {
      const saved: unknown = JSON.parse(this._store.getItem(this._key + 'queue') ?? '[]');
      if (!Array.isArray(saved)) return;
      const ids = new Set<string>();
      for (const e of saved as QueuedEvent[]) {
        if (typeof e?.id !== 'string' || typeof e.type !== 'string' || ids.has(e.id)) continue;
        ids.add(e.id);
        this._counts.dropped += this._queue.push(e);
      }
    } catch {
      /* corrupt entry: start empty */
    }
    if (this._queue.size) this._arm(0);
  }
}
