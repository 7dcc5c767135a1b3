import { PlayClock } from './playClock';

describe('PlayClock', () => {
  let t = 0;
  const clock = () => new PlayClock(() => t);
  beforeEach(() => (t = 1_000));

  it('measures a play, its completion against the track length, and no skip past the threshold', () => {
    const c = clock();
    c.start('a', { lengthSeconds: 200, source: 'playlist', playlistId: 'p1' });
    t += 150_000;
    expect(c.end('a', 20)).toEqual({
      duration: 150,
      completionRate: 75,
      skipped: false,
      replayed: false,
      source: 'playlist',
      playlistId: 'p1',
    });
    expect(c.running()).toEqual([]);
  });

  it('flags a play under the skip threshold and caps completion at 100', () => {
    const c = clock();
    c.start('a', { lengthSeconds: 10, replayed: true });
    t += 12_345;
    expect(c.end('a', 20)).toMatchObject({
      duration: 12.35,
      completionRate: 100,
      skipped: true,
      replayed: true,
    });
  });

  it('omits completion when the length is unknown, and ignores ends without a start', () => {
    const c = clock();
    expect(c.end('nope', 20)).toBeUndefined();
    c.start('a');
    t += 30_000;
    expect(c.end('a', 20)?.completionRate).toBeUndefined();
    expect(c.end('a', 20)).toBeUndefined(); // already ended
  });

  it('does not count paused time', () => {
    const c = clock();
    c.start('a', { lengthSeconds: 100 });
    t += 10_000;
    c.pause('a');
    c.pause('a');
    t += 60_000;
    c.resume('a');
    c.resume('a');
    t += 15_000;
    expect(c.end('a', 20)).toMatchObject({ duration: 25, completionRate: 25, skipped: false });
  });

  it('resumes a paused play when it is started again (media element play events)', () => {
    const c = clock();
    c.start('a', { lengthSeconds: 100, source: 'search' });
    t += 30_000;
    c.pause('a');
    t += 5_000;
    c.start('a', { source: 'direct' }); // resume: keeps the first start's context
    t += 10_000;
    expect(c.end('a', 20)).toMatchObject({ duration: 40, completionRate: 40, source: 'search' });
  });

  it('restarts a running track from zero', () => {
    const c = clock();
    c.start('a');
    t += 50_000;
    c.start('a');
    t += 5_000;
    expect(c.end('a', 20)?.duration).toBe(5);
  });
});
