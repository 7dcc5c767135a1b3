import { randomUUID } from 'node:crypto';

/** Outcome counts of a load run; `failures` are answers other than 200 from live instances. */
export type LoadStats = {
  batches: number;
  events: number;
  /** Requests in flight on an instance when it was killed (connection reset), then retried. */
  sentToKilled: number;
  /** Of those retries, how many events the service already had (appended before the kill). */
  duplicatesOnRetry: number;
  failures: string[];
  acked: Set<string>;
};

/**
 * Clients posting batches of plays, skips and likes round-robin over `urls`; a request whose
 * instance was killed (`isKilled`) is retried, same body and event ids, on the next instance,
 * as a client SDK behind a load balancer would.
 */
export function retryingLoad(options: {
  urls: string[];
  isKilled: (url: string) => boolean;
  tracks: string[];
  clients: number;
  batchSize: number;
  /** Pause between a client's batches. */
  pauseMs: number;
  /** occurredAt of the first event; each next one is 1 ms later (no ties in recent lists). */
  from: Date;
}) {
  const stats: LoadStats = {
    batches: 0,
    events: 0,
    sentToKilled: 0,
    duplicatesOnRetry: 0,
    failures: [],
    acked: new Set(),
  };
  let running = true;
  let n = 0;
  let turn = 0;
  const event = () => {
    const i = n++;
    const common = {
      id: randomUUID(),
      trackId: options.tracks[i % options.tracks.length]!,
      sessionId: `session-${i % 37}`,
      timestamp: new Date(options.from.getTime() + i).toISOString(),
    };
    if (i % 7 === 3) return { ...common, type: 'like' };
    const duration = i % 5 === 0 ? 10 : 150; // every fifth is a skip (< 20 s)
    return { ...common, type: 'play', duration, completionRate: 60, source: 'playlist' };
  };
  const send = async (body: string, ids: string[], retried: boolean): Promise<void> => {
    // Like a load balancer's health check: a killed instance gets no new requests; only those
    // in flight when it died fail, and are retried.
    const live = options.urls.filter((u) => !options.isKilled(u));
    const url = live[turn++ % live.length]!;
    let res: Response;
    try {
      res = await fetch(`${url}/api/stats/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    } catch (err) {
      if (!options.isKilled(url)) {
        stats.failures.push(`${url}: ${String(err)}`);
        return;
      }
      stats.sentToKilled += 1;
      return send(body, ids, true);
    }
    const reply = (await res.json().catch(() => ({}))) as { duplicates?: number };
    if (res.status !== 200) {
      stats.failures.push(`${url}: ${res.status} ${JSON.stringify(reply)}`);
      return;
    }
    if (retried) stats.duplicatesOnRetry += reply.duplicates ?? 0;
    for (const id of ids) stats.acked.add(id);
    stats.batches += 1;
    stats.events += ids.length;
  };
  const client = async () => {
    while (running) {
      const events = Array.from({ length: options.batchSize }, event);
      const body = JSON.stringify({ sentAt: new Date().toISOString(), events });
      await send(
        body,
        events.map((e) => e.id),
        false,
      );
      await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: options.clients }, client));
  return {
    stats,
    async stop(): Promise<LoadStats> {
      running = false;
      await done;
      return stats;
    },
  };
}
