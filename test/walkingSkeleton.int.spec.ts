import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { eventually, startTestService, type TestService } from './service';

const play = (trackId: string, id = randomUUID()) => ({
  id,
  type: 'play',
  trackId,
  sessionId: 'session-1',
  anonymousId: 'anon-1',
  timestamp: new Date().toISOString(),
  source: 'search',
  duration: 95,
  completionRate: 40,
});

async function post(service: TestService, body: unknown, contentType = 'application/json') {
  const res = await fetch(`${service.url}/api/stats/events`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const getTrack = async (service: TestService, trackId: string) => {
  const res = await fetch(`${service.url}/api/tracks/${trackId}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('walking skeleton: one play from POST to read model', () => {
  let service: TestService;
  let mongo: MongoClient;

  beforeAll(async () => {
    service = await startTestService();
    mongo = await MongoClient.connect(process.env.TEST_MONGODB_URL!);
  });
  afterAll(async () => {
    await service?.stop();
    await mongo?.db(service.mongoDb).dropDatabase();
    await mongo?.close();
  });

  it('appends the play to track-<id>, projects it within a second, survives a restart', async () => {
    const trackId = `sk-${randomUUID().slice(0, 8)}`;
    const event = play(trackId);
    const started = Date.now();
    const posted = await post(service, { sentAt: new Date().toISOString(), events: [event] });
    expect(posted).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, rejected: [] } });

    const shown = await eventually(
      () => getTrack(service, trackId),
      (r) => r.body.playCount === 1,
      1000,
    );
    expect(shown.body).toMatchObject({ trackId, playCount: 1, skipCount: 0 });
    expect(Date.now() - started).toBeLessThan(1000);

    // The fact is in its stream, readable by the official client, with the client's event id.
    const es = await startedEventStoreClient(service);
    const stored = [];
    for await (const r of es.readStream(`track-${trackId}`, {
      direction: FORWARDS,
      fromRevision: START,
    })) {
      // `$`-typed records are infrastructure (each append opens with an `$ingest` marker).
      if (!r.event?.type.startsWith('$')) stored.push(r.event);
    }
    await es.dispose();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: event.id, type: 'TrackPlayed' });
    expect(stored[0]!.data).toMatchObject({ trackId, listenerId: 'anon-1', source: 'search' });

    // The projector stored its checkpoint next to the read model.
    const checkpoint = await mongo
      .db(service.mongoDb)
      .collection('projector_checkpoints')
      .findOne({ _id: 'trackCounters' as never });
    expect(checkpoint?.position).toBeGreaterThan(0);

    // Restart on the same data: nothing lost, nothing counted twice.
    const { dataDir, mongoDb } = service;
    await service.stop();
    service = await startTestService({ dataDir, mongoDb });
    await new Promise((r) => setTimeout(r, 300));
    expect((await getTrack(service, trackId)).body.playCount).toBe(1);

    await post(service, [play(trackId)], 'text/plain');
    const after = await eventually(
      () => getTrack(service, trackId),
      (r) => r.body.playCount === 2,
      1000,
    );
    expect(after.body.playCount).toBe(2);
  });

  it('answers 404 for an unknown track and 400 naming the field for a bad event', async () => {
    expect((await getTrack(service, 'never-seen')).status).toBe(404);
    const bad = await post(service, [{ ...play('t-bad'), duration: 'long' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.rejected).toEqual([
      expect.objectContaining({
        index: 0,
        errors: [expect.objectContaining({ path: 'duration' })],
      }),
    ]);
    const malformed = await post(service, '{"events": [', 'application/json');
    expect(malformed.status).toBe(400);
  });
});

/** The service's own event store, reached with the official client like any user would. */
async function startedEventStoreClient(service: TestService) {
  return EventStoreDBClient.connectionString(service.eventStoreUrl);
}
