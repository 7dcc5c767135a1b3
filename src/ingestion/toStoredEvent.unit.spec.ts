import { ingestionEventSchema } from '../events/ingestion';
import { MAX_EVENT_AGE_MS, liveClock } from './recordEvents';
import { toStoredEvent, type ListenerContext } from './toStoredEvent';

const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const ctx: ListenerContext = { receivedAt, correctTime: liveClock(receivedAt) };
const play = (over: Record<string, unknown>) =>
  ingestionEventSchema.parse({
    id: '6f1c1b7e-8f3a-4c1e-9d2b-2a1f0c3b4d5e',
    type: 'play',
    trackId: 't1',
    sessionId: 's1',
    timestamp: '2026-03-01T11:59:00.000Z',
    duration: 90,
    ...over,
  });

describe('toStoredEvent', () => {
  it('stores a play at or above the threshold as TrackPlayed, below it as TrackSkipped', () => {
    expect(toStoredEvent(play({ duration: 20 }), ctx, { skipThresholdSeconds: 20 }).type).toBe(
      'TrackPlayed',
    );
    expect(toStoredEvent(play({ duration: 19.9 }), ctx, { skipThresholdSeconds: 20 }).type).toBe(
      'TrackSkipped',
    );
  });

  it('computes completion from the catalog length when known, else clamps the client value', () => {
    const catalog = () => ({ durationSeconds: 180 });
    expect(toStoredEvent(play({}), ctx, { skipThresholdSeconds: 20, catalog }).data).toMatchObject({
      completionRate: 50,
    });
    expect(
      toStoredEvent(play({ completionRate: 250 }), ctx, { skipThresholdSeconds: 20 }).data,
    ).toMatchObject({
      completionRate: 100,
    });
  });

  it('takes the listener from the token, else the anonymous id, else the session', () => {
    const e = play({ anonymousId: 'anon-1' });
    expect(
      toStoredEvent(e, { ...ctx, userId: 'u1' }, { skipThresholdSeconds: 20 }).data,
    ).toMatchObject({ listenerId: 'u1' });
    expect(toStoredEvent(e, ctx, { skipThresholdSeconds: 20 }).data).toMatchObject({
      listenerId: 'anon-1',
    });
    expect(toStoredEvent(play({}), ctx, { skipThresholdSeconds: 20 }).data).toMatchObject({
      listenerId: 's1',
    });
  });
});

describe('liveClock', () => {
  it('corrects the client clock by the batch skew', () => {
    const sentAt = new Date('2026-03-01T11:00:00.000Z'); // client is an hour behind
    const fix = liveClock(receivedAt, sentAt);
    expect(fix(new Date('2026-03-01T10:59:00.000Z')).toISOString()).toBe(
      '2026-03-01T11:59:00.000Z',
    );
  });
  it('never writes into the future or past the window', () => {
    const fix = liveClock(receivedAt);
    expect(fix(new Date('2030-01-01T00:00:00.000Z'))).toEqual(receivedAt);
    expect(fix(new Date('2000-01-01T00:00:00.000Z')).getTime()).toBe(
      receivedAt.getTime() - MAX_EVENT_AGE_MS,
    );
  });
});
