import type { SendResult, Transport } from '../transport';
import type { QueuedEvent } from '../statsCollector';

export interface SentRequest {
  sentAt: string;
  events: QueuedEvent[];
  keepalive?: boolean;
  token?: string;
}

/**
 * A transport whose sends stay pending until the test answers them (`respond`), so tests
 * control exactly when each request settles; beacons are recorded and answered by `beaconOk`.
 */
export function fakeTransport() {
  const sends: SentRequest[] = [];
  const beacons: { sentAt: string; events: QueuedEvent[] }[] = [];
  const pending: ((r: SendResult) => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const state = { beaconOk: true };
  const transport: Transport = {
    send(_url, body, init) {
      sends.push({ ...(JSON.parse(body) as { sentAt: string; events: QueuedEvent[] }), ...init });
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      return new Promise<SendResult>((resolve) =>
        pending.push((r) => {
          inFlight--;
          resolve(r);
        }),
      );
    },
    beacon(_url, body) {
      if (!state.beaconOk) return false;
      beacons.push(JSON.parse(body) as { sentAt: string; events: QueuedEvent[] });
      return true;
    },
  };
  return {
    transport,
    sends,
    beacons,
    state,
    /** Answers the oldest pending send. */
    respond(
      result: SendResult = { status: 200, body: { accepted: 1, duplicates: 0, rejected: [] } },
    ) {
      const next = pending.shift();
      if (!next) throw new Error('no send pending');
      next(result);
    },
    get pending() {
      return pending.length;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    /** Ids of every event in every send, in order. */
    sentIds: () => sends.flatMap((s) => s.events.map((e) => e.id)),
  };
}

/** An `onUnload` that the test triggers by hand. */
export function manualUnload() {
  const callbacks = new Set<() => void>();
  return {
    onUnload: (cb: () => void) => {
      callbacks.add(cb);
      return () => void callbacks.delete(cb);
    },
    fire: () => callbacks.forEach((cb) => cb()),
    get listeners() {
      return callbacks.size;
    },
  };
}
