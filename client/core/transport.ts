/** What the collector needs to know about one POST: status 0 means no answer (network error, timeout). */
export interface SendResult {
  status: number;
  retryAfter?: string | null;
  /** The parsed JSON reply, when there was one. */
  body?: unknown;
}

/** How batches leave the page. Injected into the collector, so tests and other runtimes can supply their own. */
export interface Transport {
  /** POSTs `body`; must resolve (never reject), with status 0 when there was no answer. */
  send(
    url: string,
    body: string,
    init: { token?: string; keepalive?: boolean },
  ): Promise<SendResult>;
  /** Hands `body` to the browser for delivery after the page is gone; false when unavailable or refused. */
  beacon(url: string, body: string): boolean;
}

/**
 * `fetch` for normal sends, `navigator.sendBeacon` for unload. Bodies go as `text/plain` (the
 * ingestion API accepts it): a CORS "simple request" needs no preflight, so a batch costs one
 * round trip, and sendBeacon sends strings with that type anyway.
 */
export function browserTransport(timeoutMs = 30_000): Transport {
  return {
    async send(url, body, { token, keepalive }) {
      const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
      if (token) headers.Authorization = `Bearer ${token}`;
      try {
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers,
          keepalive,
          signal: AbortSignal.timeout?.(timeoutMs),
        });
        let json: unknown;
        try {
          json = await res.json();
        } catch {
          /* not JSON: status alone decides */
        }
        // Cross-origin, Retry-After is readable only if the server lists it in Access-Control-Expose-Headers.
        return { status: res.status, retryAfter: res.headers.get('Retry-After'), body: json };
      } catch {
        return { status: 0 };
      }
    },
    beacon(url, body) {
      try {
        return (
          typeof navigator !== 'undefined' &&
          !!navigator.sendBeacon &&
          navigator.sendBeacon(url, body)
        );
      } catch {
        return false;
      }
    },
  };
}
