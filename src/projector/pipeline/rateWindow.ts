/** Events handled per second over the last `windowMs` (default 10 s), on an injected clock. */
export function rateWindow(clock: () => number, windowMs = 10_000) {
  const entries: { at: number; events: number }[] = [];
  const trim = () => {
    while (entries.length > 0 && entries[0]!.at < clock() - windowMs) entries.shift();
  };
  return {
    add(events: number): void {
      entries.push({ at: clock(), events });
      trim();
    },
    perSecond(): number {
      trim();
      return Math.round(entries.reduce((s, e) => s + e.events, 0) / (windowMs / 1000));
    },
  };
}

/**
 * Events behind the head of the log: exact once caught up (the pending ones); during catch-up,
 * pending plus the unread part of the log estimated from the average size of an event read.
 */
export function lagEvents(s: {
  pending: number;
  received: number;
  startPosition: bigint;
  lastReceived: bigint;
  head?: bigint;
}): number {
  const bytesPerEvent = s.received > 0 ? Number(s.lastReceived - s.startPosition) / s.received : 0;
  const unread =
    s.head !== undefined && s.head > s.lastReceived && bytesPerEvent > 0
      ? Math.round(Number(s.head - s.lastReceived) / bytesPerEvent)
      : 0;
  return s.pending + unread;
}
